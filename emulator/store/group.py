"""Group commit: deliveries that end at the same moment share one durable commit.

With ``synchronous=FULL`` every commit is an fsync of the WAL (0.15 ms on a
fast disk, 1.5 ms on a busy one). Doing it on the event loop stalls every
session for that long; doing one per message caps throughput at one message
per fsync. Here a single writer thread owns its own connection: while it
commits one batch, new deliveries queue; when it finishes, the queue becomes
the next batch. A delivery's future resolves only after the commit that
holds it has returned, so a 250 still means "on disk". Session records ride
along in the same transactions (they promise nothing to the client).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exolab.emulator.store.model import SessionRecord
    from exolab.emulator.store.sqlite import Delivery


class GroupCommitter:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="exolab-store")
        self._pending: list[tuple[Delivery, asyncio.Future[list[int]]]] = []
        self._sessions: list[SessionRecord] = []
        self._busy = False
        self._idle = threading.Event()
        self._idle.set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    async def deliver(self, delivery: Delivery) -> list[int]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[int]] = loop.create_future()
        self._pending.append((delivery, future))
        self._kick(loop)
        return await future

    def record_session(self, record: SessionRecord) -> None:
        self._sessions.append(record)
        with contextlib.suppress(RuntimeError):  # no running loop: close() writes it
            self._kick(asyncio.get_running_loop())

    async def flush(self) -> None:
        while not self._closed and (self._busy or self._pending or self._sessions):
            if not self._busy:
                self._kick(asyncio.get_running_loop())
            await asyncio.sleep(0.001)

    def _kick(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._closed or self._busy or not (self._pending or self._sessions):
            return
        self._busy = True
        self._idle.clear()
        self._loop = loop
        loop.call_soon(self._start)  # the rest of this loop turn joins the batch

    def _start(self) -> None:
        assert self._loop is not None
        batch, self._pending = self._pending, []
        sessions, self._sessions = self._sessions, []
        deliveries = [d for d, _ in batch]
        work = self._loop.run_in_executor(self._executor, self._write, deliveries, sessions)
        work.add_done_callback(lambda done: self._finish(done, batch, sessions))

    def _write(
        self, deliveries: Sequence[Delivery], sessions: Sequence[SessionRecord]
    ) -> list[list[int]]:
        from exolab.emulator.store.sqlite import write_batch

        return write_batch(self._db, deliveries, sessions)

    def _finish(
        self,
        done: asyncio.Future[list[list[int]]],
        batch: list[tuple[Delivery, asyncio.Future[list[int]]]],
        sessions: list[SessionRecord],
    ) -> None:
        error = done.exception()
        for index, (_, future) in enumerate(batch):
            if future.done():
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(done.result()[index])
        if error is not None:
            self._sessions[:0] = sessions  # try the records again with the next batch
        self._busy = False
        self._idle.set()
        assert self._loop is not None
        self._kick(self._loop)

    def close(self) -> list[SessionRecord]:
        """Stop the writer (waiting for a commit in flight); the records not yet written."""
        self._closed = True
        self._executor.shutdown(wait=True)
        self._db.close()
        left, self._sessions = self._sessions, []
        for _, future in self._pending:
            if not future.done():
                future.set_exception(RuntimeError("store closed before the commit"))
        self._pending = []
        return left
