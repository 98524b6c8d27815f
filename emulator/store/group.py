"""Group commit: deliveries that end at the same moment share one durable commit.

With ``synchronous=FULL`` every commit is an fsync of the WAL (0.15 ms on a
fast disk, 1.5 ms on a busy one). Doing it on the event loop stalls every
session for that long; doing one per message caps throughput at one message
per fsync. Here a single writer thread owns its own connection: while it
commits one batch, new deliveries queue; when it finishes, the queue becomes
the next batch. The thread is the committer's own, fed by a plain queue and
answering with one ``call_soon_threadsafe`` per batch: an executor would add
two locks, two futures and their callbacks to every batch, on the event
loop's thread. A delivery's future resolves only after the commit that
holds it has returned, so a 250 still means "on disk". Session records ride
along in the same transactions (they promise nothing to the client).

Sharing a commit must not mean sharing a fate: the writer reports an outcome
per record, and a record that fails answers only its own waiter. The writer
itself is passed in (``BatchWrite``), so this module knows nothing of SQLite.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from exolab.emulator.store.errors import StoreFull, classify
from exolab.emulator.store.model import Delivery, SessionRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What one shared commit did to each record.

    ``deliveries`` holds, in order, the row ids of each delivery that is now
    durable or the error that refused that delivery alone; ``failed_sessions``
    the session records that could not be written, with why.
    """

    deliveries: list[list[int] | Exception]
    failed_sessions: list[tuple[SessionRecord, Exception]]


BatchWrite = Callable[[Sequence[Delivery], Sequence[SessionRecord]], BatchOutcome]
_Waiters = list[tuple[Delivery, "asyncio.Future[list[int]]"]]
_Job = tuple[asyncio.AbstractEventLoop, _Waiters, list[SessionRecord]]


class GroupCommitter:
    def __init__(self, write: BatchWrite, close: Callable[[], None]) -> None:
        self._write = write
        self._close_writer = close
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="exolab-store", daemon=True)
        self._thread.start()
        self._pending: list[tuple[Delivery, asyncio.Future[list[int]]]] = []
        self._sessions: list[SessionRecord] = []
        # Session records a full disk refused: they ride along with the next
        # batch that new work starts, never in a loop of their own.
        self._retry: list[SessionRecord] = []
        self._busy = False
        self._started = 0
        self._finished = 0
        self._flushes: list[tuple[int, asyncio.Future[None]]] = []
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
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no running loop: close() writes it
            return
        self._kick(loop)

    async def flush(self) -> None:
        """Wait until what is queued now has been through a commit (written or refused)."""
        if self._closed or not (self._busy or self._pending or self._sessions):
            return
        target = self._started + (1 if self._pending or self._sessions else 0)
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._flushes.append((target, done))
        self._kick(loop)
        await done

    def _kick(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._closed or self._busy or not (self._pending or self._sessions):
            return
        self._busy = True
        self._loop = loop
        loop.call_soon(self._start)  # the rest of this loop turn joins the batch

    def _start(self) -> None:
        assert self._loop is not None
        batch, self._pending = self._pending, []
        sessions, self._sessions, self._retry = self._retry + self._sessions, [], []
        self._started += 1
        self._jobs.put((self._loop, batch, sessions))

    def _run(self) -> None:
        """The writer thread: one batch at a time, each answered on the loop that sent it."""
        while (job := self._jobs.get()) is not None:
            loop, batch, sessions = job
            result: BatchOutcome | BaseException
            try:
                result = self._write([d for d, _ in batch], sessions)
            except BaseException as error:  # the writer broke as a whole
                result = error
            try:
                loop.call_soon_threadsafe(self._finish, result, batch, sessions)
            except RuntimeError:  # the loop is closed: nobody is left to answer
                log.warning("store: a commit finished after its event loop closed")

    def _finish(
        self,
        result: BatchOutcome | BaseException,
        batch: _Waiters,
        sessions: list[SessionRecord],
    ) -> None:
        if isinstance(result, BaseException):  # nothing of the batch is written
            cause = classify(result) if isinstance(result, Exception) else result
            results: list[list[int] | BaseException] = [cause] * len(batch)
            failed: list[tuple[SessionRecord, BaseException]] = [(s, cause) for s in sessions]
        else:
            results = list(result.deliveries)
            failed = list(result.failed_sessions)
        self._answer(batch, results)
        self._keep_or_drop(failed)
        self._finished += 1
        self._busy = False
        ready = [waiter for target, waiter in self._flushes if target <= self._finished]
        self._flushes = [f for f in self._flushes if f[0] > self._finished]
        for waiter in ready:
            if not waiter.done():
                waiter.set_result(None)
        assert self._loop is not None
        self._kick(self._loop)

    @staticmethod
    def _answer(
        batch: _Waiters,
        results: list[list[int] | BaseException],
    ) -> None:
        full = [r for r in results if isinstance(r, StoreFull)]
        if full:  # logged once here; the front ends answer each client without a traceback
            log.error("%s: %d message(s) refused, nothing of them kept", full[0], len(full))
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)

    def _keep_or_drop(self, failed: list[tuple[SessionRecord, BaseException]]) -> None:
        for record, why in failed:
            if isinstance(why, StoreFull):
                self._retry.append(record)
            else:
                log.error("session %s could not be recorded: %r", record.id, why)

    def close(self) -> list[SessionRecord]:
        """Stop the writer (waiting for a commit in flight); the records not yet written."""
        self._closed = True
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()
        self._close_writer()
        left, self._sessions, self._retry = self._retry + self._sessions, [], []
        for _, future in self._pending:
            if not future.done():
                future.set_exception(RuntimeError("store closed before the commit"))
        self._pending = []
        for _, waiter in self._flushes:
            if not waiter.done():
                waiter.set_result(None)
        self._flushes = []
        return left
