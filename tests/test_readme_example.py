"""The README's own `exolab send` example delivers, as printed, on the suite's lab date.

The example is read from README.md, so the page and the test cannot drift
apart. Run with ``EXOLAB_AS_OF=2027-02-01`` (the CI does) to prove it still
works after basic SMTP AUTH goes off by default.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

from tests.lab_date import suite_lab_date

ROOT = Path(__file__).resolve().parents[1]
EXOLAB = [sys.executable, "-m", "exolab.cli"]


def readme_commands() -> dict[str, list[str]]:
    """Each `exolab …` command of the README's everyday block, by sub-command, as argv."""
    text = (ROOT / "README.md").read_text("utf-8")
    block = text.split("## Everyday commands", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    joined = re.sub(r"\\\n\s*", " ", block)
    commands: dict[str, list[str]] = {}
    for line in joined.splitlines():
        argv = shlex.split(line, comments=True)
        if argv and argv[0] == "exolab":
            commands.setdefault(argv[1], argv[1:])
    return commands


def with_data(argv: list[str], data: Path) -> list[str]:
    return [str(data) if arg == "lab-data" else arg for arg in argv]


def test_readme_send_example_delivers(tmp_path: Path) -> None:
    commands = readme_commands()
    assert commands["send"][:3] == ["send", "--profile", "starttls-modern"]
    data = tmp_path / "lab-data"
    env = dict(os.environ)
    serve = subprocess.Popen(
        [*EXOLAB, *with_data(commands["serve"], data), "--ephemeral-ports"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert serve.stdout is not None
        ready = serve.stdout.readline()
        assert ready.startswith("exolab ready:"), serve.stderr.read() if serve.stderr else ""
        sent = subprocess.run(
            [*EXOLAB, *with_data(commands["send"], data), "--json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.communicate(timeout=20)
    result = json.loads(sent.stdout)
    assert sent.returncode == 0, (suite_lab_date(), result.get("reply"), sent.stderr)
    assert result["outcome"] == "delivered"
