"""The next steps `make demo` prints work exactly as printed, on a machine whose PATH lacks the venv.

`make demo` runs ``.venv/bin/exolab``; a fresh shell has no ``exolab`` on its
PATH, so the commands it suggests must name the program the way the user
can run it from where they stand.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
from pathlib import Path

from exolab.cli import build_parser
from tests.cli.processes import ROOT

VENV_BIN = Path(ROOT / ".venv" / "bin")


def _commands(printed: str) -> list[str]:
    """The shell lines of the next steps (continuations joined), as a user would paste them."""
    joined = printed.replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.startswith("    ")]


def _shell(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", "-c", line], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=180, check=False,
    )  # fmt: skip


def _env(path: str) -> dict[str, str]:
    return {**os.environ, "PATH": path}


def test_next_steps_name_the_script_when_path_lacks_the_venv(tmp_path: Path) -> None:
    # The user's project: the venv sits in it, as .venv sits in the checkout.
    (tmp_path / "venv").symlink_to(ROOT / ".venv")
    env = _env("/usr/local/bin:/usr/bin:/bin")
    assert _shell("command -v exolab", tmp_path, env).stdout == ""  # not on this PATH
    demo = _shell("venv/bin/exolab demo --next-steps", tmp_path, env)
    assert demo.returncode == 0, demo.stderr
    lines = _commands(demo.stdout)
    assert lines and all(line.startswith("venv/bin/exolab ") for line in lines), lines
    for line in lines:  # every suggestion is a command line exolab accepts
        build_parser().parse_args(shlex.split(line)[1:])

    by_command = {shlex.split(line)[1]: line for line in lines}
    serve = subprocess.Popen(
        # --ephemeral-ports only so that parallel test runs never share a port
        ["/bin/sh", "-c", f"exec {by_command['serve']} --ephemeral-ports"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert serve.stdout is not None
        ready = serve.stdout.readline()
        assert ready.startswith("exolab ready: lab-data/endpoints.json"), ready
        for command in ("send", "messages", "sessions"):
            done = _shell(by_command[command], tmp_path, env)
            assert done.returncode == 0, (command, done.stdout, done.stderr)
        assert "alice@contoso.com" in _shell(by_command["messages"], tmp_path, env).stdout
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.communicate(timeout=20)
    explained = _shell(by_command["explain"], tmp_path, env)
    assert explained.returncode == 0, explained.stderr


def test_next_steps_say_exolab_when_path_finds_this_one(tmp_path: Path) -> None:
    env = _env(f"{VENV_BIN}:/usr/bin:/bin")
    demo = _shell("exolab demo --next-steps", tmp_path, env)
    assert demo.returncode == 0, demo.stderr
    lines = _commands(demo.stdout)
    assert lines and all(line.startswith("exolab ") for line in lines), lines
