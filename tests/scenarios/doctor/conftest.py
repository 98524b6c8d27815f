"""Real captures: tcpdump on loopback around sessions of real clients against a real lab."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from exolab.emulator.server import Lab
from exolab.emulator.smtp.submission import SubmissionService
from tests.emulator import labs

FAST = ("Lab.UnknownCommandDelay=0", "Lab.Port465Hold=0.3")
Recorder = Callable[[Path, str, int], contextlib.AbstractAsyncContextManager[Path]]


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[Lab]:
    async with labs.lab_factory(tmp_path, lambda: [SubmissionService()], *FAST) as start:
        yield await start()


@contextlib.asynccontextmanager
async def tcpdump(path: Path, host: str, port: int) -> AsyncIterator[Path]:
    """tcpdump on lo from before the session starts until after it ended (needs root, as the CI)."""
    assert shutil.which("tcpdump"), "tcpdump is needed (make tools)"
    proc = await asyncio.create_subprocess_exec(
        "tcpdump", "-i", "lo", "-U", "--immediate-mode", "-n", "-w", str(path), f"host {host} and port {port}",
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stderr is not None
    heard = b""
    while b"listening on" not in heard:  # the filter is attached: nothing of the session is lost
        line = await asyncio.wait_for(proc.stderr.readline(), 30)
        assert line, f"tcpdump did not start: {heard.decode()}"
        heard += line
    try:
        yield path
    finally:
        proc.send_signal(signal.SIGINT)  # tcpdump writes out what it holds and exits
        await asyncio.wait_for(proc.communicate(), 30)


@pytest.fixture
def record() -> Recorder:
    return tcpdump


async def run(*argv: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run a client while the lab keeps serving on this event loop."""
    assert shutil.which(argv[0]), f"{argv[0]} is needed (make tools)"
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
    )
    out, _ = await asyncio.wait_for(proc.communicate(stdin), 60)
    return proc.returncode or 0, out.decode("utf-8", "replace")
