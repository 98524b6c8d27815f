"""`exolab serve` with a port another program holds: one line naming it, exit code 2."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

EXOLAB = [sys.executable, "-m", "exolab.cli"]
ROOT = Path(__file__).resolve().parents[2]
MAX_OFFSET = 60000  # what `serve --port-offset` accepts


@contextmanager
def held_port(address: str, real: int) -> Iterator[int]:
    """A listening socket on ``address`` and the offset that makes ``real`` land on it."""
    for _ in range(100):
        blocker = socket.socket()
        blocker.bind((address, 0))
        offset = blocker.getsockname()[1] - real
        if 0 <= offset <= MAX_OFFSET:
            break
        blocker.close()
    else:  # pragma: no cover - the kernel kept giving ports beyond the offset range
        raise AssertionError("no ephemeral port within --port-offset range")
    blocker.listen()
    try:
        yield offset
    finally:
        blocker.close()


@pytest.mark.parametrize(
    ("address", "real", "named"),
    [
        ("127.10.0.4", 443, "token service login.microsoftonline.com"),
        ("127.10.0.5", 80, "lab API"),
        ("127.10.0.53", 53, "lab DNS"),
    ],
    ids=["token-service", "api", "dns"],
)
def test_a_held_port_is_one_line_and_exit_code_2(
    tmp_path: Path, address: str, real: int, named: str
) -> None:
    with held_port(address, real) as offset:
        proc = subprocess.run(
            [*EXOLAB, "serve", "--data", str(tmp_path), "--port-offset", str(offset)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    [line] = proc.stderr.strip().splitlines()
    port = offset + real
    assert line.startswith(f"exolab serve: {named}: {address}:{port}"), line
    assert "is already in use" in line
