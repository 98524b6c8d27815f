"""A real ``exolab serve`` process on loopback: start, kill -9, restart on the same data, read.

The process writes its log to a file in the data directory (a pipe nobody
reads would fill up and stall the lab); tracebacks in that log count as
crashes. The store is read read-only over SQLite while the lab runs, as a
second process would (WAL allows it).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import sqlite3
import ssl
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from exolab.emulator.store import STORE_FILE
from tests.lab_date import pin_for_children

ROOT = Path(__file__).resolve().parents[2]
# No five-second pause after an unknown command (Exchange's tarpit): the fuzz sends many.
FAST = ("Lab.UnknownCommandDelay=0",)
START_TIMEOUT = 60.0
TRACEBACK = b"Traceback (most recent call last)"


class ServeFailed(RuntimeError):
    """``exolab serve`` did not become ready; the message carries its log."""


class ServedLab:
    """One lab directory served by one ``exolab serve`` process at a time."""

    def __init__(self, data: Path, *settings: str) -> None:
        self.data = data
        self.settings = (*FAST, *settings)
        self.proc: subprocess.Popen[bytes] | None = None
        self.doc: dict[str, Any] = {}
        self.log = data.parent / f"{data.name}.log"
        self.starts = 0
        self.unexpected_exits = 0

    def start(self) -> None:
        pin_for_children()
        self.data.parent.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-m", "exolab.cli", "serve", "--data", str(self.data)]
        argv.append("--ephemeral-ports")
        for pair in self.settings:
            argv += ["--set", pair]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, env=dict(os.environ)
            )
        assert self.proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            ready = sel.select(START_TIMEOUT)
        line = self.proc.stdout.readline() if ready else b""
        if not line.startswith(b"exolab ready:"):
            self.proc.kill()
            self.proc.wait(10)
            tail = self.log.read_bytes()[-3000:].decode("utf-8", "replace")
            raise ServeFailed(f"exolab serve did not start: {line!r}\n{tail}")
        self.doc = json.loads((self.data / "endpoints.json").read_text("utf-8"))
        self.starts += 1

    def kill9(self) -> None:
        """SIGKILL: no flush, no checkpoint, no goodbye."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)
        self._release()

    def stop(self) -> None:
        """SIGTERM and wait (a clean stop); an exit before this counts as unexpected."""
        if self.proc is None:
            return
        if self.proc.poll() is not None:
            self.unexpected_exits += 1
        else:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._release()

    def _release(self) -> None:
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()
        self.proc = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def tracebacks(self) -> int:
        """Tracebacks the lab has logged so far (every start of this directory)."""
        return self.log.read_bytes().count(TRACEBACK) if self.log.exists() else 0

    def log_lines(self) -> int:
        return self.log.read_bytes().count(b"\n") if self.log.exists() else 0

    def endpoint(self, host: str, port: int) -> tuple[str, int]:
        entry = self.doc["endpoints"][host]
        return str(entry["address"]), int(entry["ports"][str(port)])

    def smtp_ports(self) -> list[tuple[str, int, str, int]]:
        """(host, real port, address, bound port) of every endpoint the lab lists."""
        return [
            (host, int(real), str(entry["address"]), int(bound))
            for host, entry in self.doc["endpoints"].items()
            for real, bound in entry["ports"].items()
        ]

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.doc["ca_pem"])

    def bodies(self) -> list[bytes]:
        """Every stored message body, read through a read-only connection."""
        uri = f"file:{self.data / STORE_FILE}?mode=ro"
        db = sqlite3.connect(uri, uri=True, timeout=30)
        try:
            return [bytes(row[0]) for row in db.execute("SELECT raw FROM bodies")]
        finally:
            db.close()

    def header_values(self) -> list[str]:
        """Every header field value the lab added to a stored message (Received, …)."""
        uri = f"file:{self.data / STORE_FILE}?mode=ro"
        db = sqlite3.connect(uri, uri=True, timeout=30)
        try:
            rows = db.execute("SELECT headers_added FROM messages").fetchall()
        finally:
            db.close()
        return [str(value) for (text,) in rows for _, value in json.loads(text)]

    def mentions(self, secrets: tuple[str, ...]) -> int:
        """Stored session transcripts and log lines that carry any of ``secrets``."""
        uri = f"file:{self.data / STORE_FILE}?mode=ro"
        db = sqlite3.connect(uri, uri=True, timeout=30)
        try:
            rows = db.execute("SELECT transcript, notes FROM sessions").fetchall()
        finally:
            db.close()
        found = sum(any(s in t or s in n for s in secrets) for t, n in rows)
        log = self.log.read_bytes().decode("utf-8", "replace") if self.log.exists() else ""
        return found + sum(any(s in line for s in secrets) for line in log.splitlines())

    def __enter__(self) -> ServedLab:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
