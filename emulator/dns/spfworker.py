"""SPF checks in a helper process, so pyspf's CPU does not fight the event loop for the GIL.

Measured (benchmarks/directsend.py): pyspf in a thread of the lab process made
every socket and SQLite call of the event loop hand the GIL to a worker and
wait to get it back; SPF then cost about 2.5 ms of CPU a message instead of
0.5 ms, and direct send ran at 0.2x a bare sink. Here the lab process only
writes one JSON line per check and reads one back (asyncio pipes, no extra
threads); the helper runs each check in a thread executor of its own, with
the lab resolver set in a ``ContextVar`` inside the thread function, and asks
the lab DNS over the wire exactly as before. A dead helper fails only the
checks in flight (temperror) and is restarted for the next one.

Run as ``python -m emulator.dns.spfworker``; spoken to only by ``SpfWorker``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import json
import sys
import threading
from typing import Any

from exolab.emulator.dns.senderauth import QUERY_TIME, DnsFacts, evaluate
from exolab.emulator.policy.authresults import SpfResult

THREADS = 4
"""Checks one helper runs at a time (each mostly waits on lab DNS round trips)."""


def _facts_json(facts: DnsFacts) -> dict[str, Any]:
    spf = facts.spf
    return {
        "spf": [spf.result, spf.domain, spf.explanation],
        "dmarc": facts.dmarc_record,
        "dmarc_error": facts.dmarc_error,
    }


def _facts_from(data: dict[str, Any]) -> DnsFacts:
    result, domain, explanation = data["spf"]
    return DnsFacts(
        SpfResult(result, domain, explanation), data["dmarc"], bool(data["dmarc_error"])
    )


def serve() -> None:  # pragma: no cover - runs in the helper process (tested through SpfWorker)
    """The helper's main loop: a JSON request per line in, a JSON answer per line out."""
    lock = threading.Lock()
    out = sys.stdout

    def run(request: dict[str, Any]) -> None:
        try:
            facts = evaluate(
                (request["server"][0], int(request["server"][1])),
                request["ip"],
                request["mail_from"],
                request["helo"],
                request["from_domain"],
                float(request["lifetime"]),
            )
            answer = {"id": request["id"], **_facts_json(facts)}
        except Exception as exc:  # never let one check take the helper down
            answer = {"id": request.get("id"), "error": f"{type(exc).__name__}: {exc}"}
        line = json.dumps(answer) + "\n"
        with lock:
            out.write(line)
            out.flush()

    with concurrent.futures.ThreadPoolExecutor(THREADS, thread_name_prefix="exolab-spf") as pool:
        for raw in sys.stdin:
            with contextlib.suppress(ValueError):
                pool.submit(run, json.loads(raw))


class SpfWorker:
    """The lab side: one helper process, checks multiplexed over its pipes by id."""

    def __init__(self) -> None:
        self._proc: asyncio.subprocess.Process | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self._pending: dict[int, asyncio.Future[DnsFacts]] = {}
        self._ids = itertools.count(1)
        self._starting: asyncio.Lock | None = None

    async def start(self) -> None:
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            reader = self._reader_task
            if (
                self._proc is not None
                and self._proc.returncode is None
                and reader
                and not reader.done()
            ):
                return
            if self._proc is not None and self._proc.returncode is None:
                self._proc.kill()  # its reader is gone: nobody would hear its answers
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "exolab.emulator.dns.spfworker",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                limit=1 << 20,
            )
            self._pending = {}  # each helper fails only its own checks when it dies
            self._reader_task = asyncio.create_task(self._read(self._proc, self._pending))

    async def _read(
        self, proc: asyncio.subprocess.Process, pending: dict[int, asyncio.Future[DnsFacts]]
    ) -> None:
        assert proc.stdout is not None
        try:
            while line := await proc.stdout.readline():
                try:
                    data = json.loads(line)
                except ValueError:
                    continue
                future = pending.pop(data.get("id"), None)
                if future is None or future.done():
                    continue
                if "error" in data:
                    future.set_exception(RuntimeError(data["error"]))
                else:
                    future.set_result(_facts_from(data))
        finally:
            for future in pending.values():
                if not future.done():
                    future.set_exception(ConnectionError("SPF helper process ended"))
            pending.clear()

    async def check(
        self,
        server: tuple[str, int],
        client_ip: str,
        mail_from: str,
        helo: str,
        from_domain: str | None,
        lifetime: float,
    ) -> DnsFacts:
        """One SPF check and DMARC lookup by the helper; raises when the helper fails."""
        reader = self._reader_task
        if self._proc is None or self._proc.returncode is not None or not reader or reader.done():
            await self.start()
        assert self._proc is not None and self._proc.stdin is not None
        request_id = next(self._ids)
        future: asyncio.Future[DnsFacts] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        request = {
            "id": request_id,
            "server": list(server),
            "ip": client_ip,
            "mail_from": mail_from,
            "helo": helo,
            "from_domain": from_domain,
            "lifetime": lifetime,
        }
        try:
            self._proc.stdin.write((json.dumps(request) + "\n").encode())
        except (ConnectionError, RuntimeError) as exc:
            self._pending.pop(request_id, None)
            raise ConnectionError(f"SPF helper process unavailable: {exc}") from exc
        # a timer of our own rather than asyncio.wait_for, which wraps every check in
        # a second future and callbacks: a check per message is on the MX's hot path
        timer = asyncio.get_running_loop().call_later(
            QUERY_TIME + 2 * lifetime + 5, self._expire, request_id, future
        )
        try:
            return await future
        finally:
            timer.cancel()

    def _expire(self, request_id: int, future: asyncio.Future[DnsFacts]) -> None:
        if self._pending.get(request_id) is future:
            del self._pending[request_id]
        if not future.done():
            future.set_exception(ConnectionError("SPF helper process did not answer in time"))

    async def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 5)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        if self._reader_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader_task


if __name__ == "__main__":  # pragma: no cover
    serve()
