"""Group commit: records that share a commit do not share a failure; a full store says so."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.store import Placement, SessionRecord, Store, StoreFull
from exolab.emulator.store.errors import classify
from exolab.emulator.store.group import BatchOutcome, GroupCommitter
from exolab.emulator.store.model import Delivery

CLOCK = FixedClock(utc(2026, 11, 27, 9, 30))
INBOX = (Placement("alice@contoso.com", "Inbox", recipients=("alice@contoso.com",)),)
# SQLite cannot hold an integer this large: a record that fails inside SQLite itself.
TOO_BIG = 2**70


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path, clock=CLOCK)
    yield s
    s.close()


def session(sid: int, port: int = 25) -> SessionRecord:
    return SessionRecord(sid, "mx", port, "127.20.0.10", "203.0.113.39", None, CLOCK.now())


async def test_a_poisoned_record_fails_alone_and_the_batch_commits(store: Store) -> None:
    poisoned = (Placement("alice@contoso.com", "Inbox", scl=TOO_BIG),)
    store.record_session_soon(session(1))
    store.record_session_soon(session(2, port=TOO_BIG))
    # gathered in one loop turn: the four deliveries and two sessions share one commit
    results = await asyncio.gather(
        store.deliver(1, "a@contoso.com", b"first\r\n", INBOX),
        store.deliver(1, "b@contoso.com", b"poisoned\r\n", poisoned),
        store.deliver(1, "\udcff@contoso.com", b"raw sender\r\n", INBOX),
        store.deliver(1, "c@contoso.com", b"last\r\n", INBOX),
        return_exceptions=True,
    )
    assert isinstance(results[1], OverflowError)
    assert all(isinstance(r, list) and len(r) == 1 for i, r in enumerate(results) if i != 1)
    await store.flush()
    bodies = [m.body for m in store.messages()]
    assert bodies == [b"first\r\n", b"raw sender\r\n", b"last\r\n"]
    assert [s.id for s in store.sessions()] == [1]


def test_invalid_utf8_client_text_is_kept_exactly(store: Store) -> None:
    sender, message_id = "\udcff\udcfe@contoso.com", "<\udce9t\udce9@mfp>"
    (row_id,) = store.commit_delivery(3, sender, b"x\r\n", INBOX, message_id=message_id)
    (message,) = store.messages(id=row_id)
    assert (message.envelope_from, message.message_id) == (sender, message_id)
    kinds = store._db.execute("SELECT typeof(envelope_from), typeof(message_id) FROM messages")
    assert kinds.fetchone() == ("blob", "blob")  # the bytes the client sent, not an escape
    store.record_session(SessionRecord(4, "mx", 25, "c", "p", None, CLOCK.now(), outcome=sender))
    assert store.sessions(id=4)[0].outcome == sender


def fill(store: Store) -> None:
    """Cap the store at its current size: the next write that needs a page gets SQLITE_FULL."""
    store.limit_pages(1)  # SQLite never caps below the current size


def test_a_full_store_refuses_with_store_full_and_keeps_what_it_acknowledged(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    kept = store.commit_delivery(1, "a@contoso.com", b"acknowledged\r\n", INBOX)
    fill(store)
    with pytest.raises(StoreFull, match="database or disk is full"):
        store.commit_delivery(1, "a@contoso.com", b"x" * 200_000, INBOX)
    assert [m.id for m in store.messages()] == kept
    assert "no transaction is active" not in caplog.text


async def test_a_full_store_answers_each_waiter_and_logs_the_cause_once(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    kept = await store.deliver(1, "a@contoso.com", b"acknowledged\r\n", INBOX)
    fill(store)
    store.record_session_soon(session(1))
    with caplog.at_level(logging.ERROR):
        results = await asyncio.gather(
            store.deliver(1, "a@contoso.com", b"x" * 200_000, INBOX),
            store.deliver(1, "b@contoso.com", b"y" * 200_000, INBOX),
            return_exceptions=True,
        )
        await store.flush()  # returns although the session record waits for space
    assert all(isinstance(r, StoreFull) for r in results), results
    full = [r for r in caplog.records if "database or disk is full" in r.getMessage()]
    assert len(full) == 1 and full[0].exc_info is None
    assert "no transaction is active" not in caplog.text
    assert [m.id for m in store.messages()] == kept


def test_enospc_and_sqlite_full_are_store_full_and_other_errors_stay_themselves() -> None:
    no_space = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert isinstance(classify(no_space), StoreFull)
    assert classify(no_space).__cause__ is no_space
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (x BLOB)")
    db.execute("PRAGMA max_page_count = 2")
    with pytest.raises(sqlite3.OperationalError) as full:
        db.execute("INSERT INTO t VALUES (?)", (b"x" * 100_000,))
    assert isinstance(classify(full.value), StoreFull)
    other = OSError(errno.EACCES, "denied")
    assert classify(other) is other


async def test_a_writer_that_breaks_answers_its_batch_and_the_next_batch_still_commits() -> None:
    outcomes: list[BatchOutcome | Exception] = [
        sqlite3.OperationalError("disk I/O error"),
        BatchOutcome([[7]], []),
    ]
    closed: list[bool] = []

    def write(deliveries: Sequence[Delivery], sessions: Sequence[SessionRecord]) -> BatchOutcome:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    committer = GroupCommitter(write, lambda: closed.append(True))
    delivery = Delivery(1, "a@contoso.com", b"x\r\n", INBOX, "", CLOCK.now())
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        await committer.deliver(delivery)
    assert await committer.deliver(delivery) == [7]
    assert committer.close() == [] and closed == [True]
    assert not committer._thread.is_alive()
