"""The `exolab` command as a user runs it: a real process, its exit code, stdout and stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXOLAB = [sys.executable, "-m", "exolab.cli"]
ROOT = Path(__file__).resolve().parents[2]


def exolab(
    *args: str,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``exolab ARGS`` to the end (the timeout only stops a hung test, it asserts nothing)."""
    return subprocess.run(
        [*EXOLAB, *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_serve(
    data: Path, *extra: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], str]:
    """``exolab serve --data DATA EXTRA…`` in the background, and the first line it printed."""
    proc = subprocess.Popen(
        [*EXOLAB, "serve", "--data", str(data), *extra],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    return proc, line


def one_error_line(proc: subprocess.CompletedProcess[str], command: str) -> str:
    """The single line a failing command printed on stderr (asserting that it is one line)."""
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"exolab {command}: "), lines[0]
    return lines[0]
