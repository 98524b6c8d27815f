"""Every command of the trainer guides' live demo runs, in order, against a real lab.

The guides (docs/guide/trainer.en.md and trainer.ja.md) mark the demo's commands
between ``<!-- demo -->`` and ``<!-- /demo -->``; this runs each one as a
trainer would type it (``exolab serve`` in the background), in a fresh folder.
"""

from __future__ import annotations

import re
import shlex
import signal
from pathlib import Path

import pytest

from tests.cli.processes import ROOT, exolab, start_serve

GUIDES = ("trainer.en.md", "trainer.ja.md")
DEMO = re.compile(r"<!-- demo -->\s*```sh\n(.*?)```\s*<!-- /demo -->", re.DOTALL)
SEND_EXITS = [0, 1, 0, 1, 0]
"""The working scanner, alice refused (535 5.7.139), alice after the administrator's fix,
the scanner against a busy server (the fault fires once), the scanner again."""


def demo_commands(guide: str) -> list[list[str]]:
    text = (ROOT / "docs" / "guide" / guide).read_text("utf-8")
    (block,) = DEMO.findall(text)
    return [shlex.split(line) for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize("guide", GUIDES)
def test_every_demo_command_runs(guide: str, tmp_path: Path) -> None:
    commands = demo_commands(guide)
    assert commands[0][:2] == ["exolab", "serve"]
    serve_args = commands[0][2:]
    data = serve_args[serve_args.index("--data") + 1]
    serve, ready = start_serve(tmp_path / data, "--ephemeral-ports")
    sends: list[int] = []
    try:
        assert ready.startswith("exolab ready:"), serve.stderr.read() if serve.stderr else ""
        for argv in commands[1:]:
            assert argv[0] == "exolab", argv
            args = [str(tmp_path / a) if a == data else a for a in argv[1:]]
            proc = exolab(*args, cwd=tmp_path)
            assert "Traceback" not in proc.stderr, (argv, proc.stderr)
            if argv[1] == "send":
                sends.append(proc.returncode)
            else:
                assert proc.returncode == 0, (argv, proc.stdout, proc.stderr)
            if argv[1] == "console":
                assert "/console?lang=" in proc.stdout and "#token=" in proc.stdout
            if argv[1] == "sessions" and "--auth-report" in argv:
                _, *rows = proc.stdout.splitlines()
                senders = {row.split()[0]: row for row in rows}
                assert set(senders) == {"scanner@contoso.com", "alice@contoso.com"}, proc.stdout
                assert "Basic" in senders["alice@contoso.com"], proc.stdout
            elif argv[1] == "sessions":
                assert "delivered" in proc.stdout.splitlines()[0], proc.stdout
    finally:
        serve.send_signal(signal.SIGINT)
        serve.communicate(timeout=30)
    assert sends == SEND_EXITS
