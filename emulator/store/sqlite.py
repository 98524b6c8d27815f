"""The durable store: SQLite in WAL mode with ``synchronous=FULL``.

A 250 after DATA promises the message is on disk, so ``commit_delivery``
writes every copy of one message in ONE transaction and returns only after
SQLite's commit (an fsync of the WAL) has finished. The body is written once
to ``bodies`` and every placed copy references it: a message for three
recipients plus the Sent Items copy costs one body write, not four, and no
extra in-memory copy of a large body is made.

The store is synchronous on purpose: a commit costs about 0.15 ms, less than
a thread hop would. It is used from one thread (the lab's event loop);
readers in other processes (``exolab messages``) open their own connection,
which WAL allows while the lab writes.

Client text is hostile: an envelope sender or a Message-ID may carry bytes
that are not UTF-8 (Python holds them as lone surrogates). SQLite TEXT must
be UTF-8, so such a value is kept as a BLOB of exactly the bytes the client
sent, in the same column (SQLite columns hold any storage class): lossless,
no escaping that a client could imitate, and rows of valid text unchanged.
Reading turns the BLOB back into the same string.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, cast

from exolab.emulator.clock import Clock, LabClock
from exolab.emulator.store.check import check_store_file
from exolab.emulator.store.errors import StoreError, StoreFull, classify
from exolab.emulator.store.group import BatchOutcome, GroupCommitter
from exolab.emulator.store.model import (
    Delivery,
    Folder,
    Placement,
    SessionRecord,
    StoredMessage,
    TranscriptLine,
)

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS bodies (
    id INTEGER PRIMARY KEY,
    raw BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL,
    mailbox TEXT NOT NULL,
    folder TEXT NOT NULL CHECK (folder IN
        ('Inbox', 'Junk Email', 'Quarantine', 'Sent Items', 'Outbound')),
    envelope_from TEXT NOT NULL,
    envelope_to TEXT NOT NULL,
    size INTEGER NOT NULL,
    scl INTEGER,
    headers_added TEXT NOT NULL,
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    session_id INTEGER,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_mailbox ON messages (mailbox, folder);
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    endpoint TEXT NOT NULL,
    port INTEGER NOT NULL,
    client TEXT NOT NULL,
    public_ip TEXT NOT NULL,
    site TEXT,
    tls_version TEXT,
    cipher TEXT,
    identity TEXT,
    auth_method TEXT,
    transcript TEXT NOT NULL,
    notes TEXT NOT NULL,
    outcome TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    extra TEXT NOT NULL DEFAULT '{}'
);
"""

STORE_FILE = "lab.sqlite3"


__all__ = ["STORE_FILE", "Delivery", "Store", "StoreError", "StoreFull", "connect", "write_batch"]


class Store:
    """Messages and sessions of one lab, on disk."""

    def __init__(self, connection: sqlite3.Connection, path: Path, clock: Clock) -> None:
        self._db = connection
        self.path = path
        self._clock = clock
        self.closed = False
        self._committer: GroupCommitter | None = None
        self._writer: sqlite3.Connection | None = None
        self._page_limit: int | None = None
        self._read_only = False
        row = self._db.execute(
            "SELECT MAX(m) FROM (SELECT MAX(id) AS m FROM sessions "
            "UNION ALL SELECT MAX(session_id) FROM messages)"
        ).fetchone()
        self._next_session_id = int(row[0] or 0) + 1
        self.watchers: list[Callable[[], None]] = []
        """Called (cheaply, with no argument) when a session or message is queued or written:
        the lab console wakes its live views with it, then reads after ``flush``."""

    @classmethod
    def open(cls, path: Path | str, clock: Clock | None = None) -> Store:
        """Open (creating if needed) the store at ``path``: a file, or a directory holding one."""
        path = _store_file(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        check_store_file(path)
        db: sqlite3.Connection | None = None
        try:
            db = connect(path)
            # one transaction: a new file gets its tables with one commit (one fsync of the
            # WAL) instead of one per statement, and never half a schema
            db.executescript(f"BEGIN;\n{SCHEMA}COMMIT;\n")
            return cls(db, path, clock or LabClock())
        except sqlite3.DatabaseError as exc:
            if db is not None:
                db.close()
            raise StoreError(f"{path}: not a usable exolab store ({exc})") from exc

    @classmethod
    def read_only(cls, path: Path | str, clock: Clock | None = None) -> Store:
        """The store a lab closed, to read: no writes, no check, no schema.

        For the lab's owner reading the file it just closed (the scenario
        runner): ``open``'s integrity check and schema statements were a
        third of the time it took to read a scenario's few records back.
        A file that is not a store still fails, on the first read.
        """
        path = _store_file(path)
        if not path.is_file():
            raise StoreError(f"{path}: no exolab store")
        try:
            db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: not a usable exolab store ({exc})") from exc
        try:
            store = cls(db, path, clock or LabClock())
        except sqlite3.DatabaseError as exc:
            db.close()
            raise StoreError(f"{path}: not a usable exolab store ({exc})") from exc
        store._read_only = True
        return store

    def close(self) -> None:
        """Checkpoint and close (twice is harmless); everything committed stays on disk."""
        if self.closed:
            return
        self.closed = True
        if self._read_only:
            self._db.close()
            return
        if self._committer is not None:
            left = self._committer.close()
            if left:
                for record, why in write_batch(self._db, [], left).failed_sessions:
                    log.error("session %s could not be recorded: %s", record.id, why)
        try:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:  # the WAL keeps every commit; the next open replays it
            log.warning("store checkpoint skipped: %s", classify(exc))
        finally:
            self._db.close()

    def limit_pages(self, pages: int) -> int:
        """Cap the store's size at ``pages`` database pages; the cap SQLite applied.

        A write that needs more pages fails with SQLITE_FULL exactly as on a
        full disk, which is how a lab shows (and tests) what a device gets
        then. SQLite never sets the cap below the store's current size.
        """
        self._page_limit = _limit_pages(self._db, pages)
        if self._writer is not None:
            _limit_pages(self._writer, pages)
        return self._page_limit

    # -- writing ---------------------------------------------------------------

    def allocate_session_id(self) -> int:
        """A fresh session id, unique in this store (sessions are written when they end)."""
        sid = self._next_session_id
        self._next_session_id += 1
        return sid

    def commit_delivery(
        self,
        session_id: int | None,
        envelope_from: str,
        raw: bytes,
        placements: Sequence[Placement],
        *,
        message_id: str = "",
        received_at: datetime | None = None,
    ) -> list[int]:
        """Store one message in every placement, durably, in one transaction; the row ids.

        Synchronous (one fsync). Front ends under load use ``deliver`` instead,
        which shares one commit among the messages that end at the same moment.
        """
        delivery = Delivery(
            session_id,
            envelope_from,
            raw,
            tuple(placements),
            message_id,
            received_at or self._clock.now(),
        )
        (result,) = write_batch(self._db, [delivery], []).deliveries
        if isinstance(result, Exception):
            raise result
        return result

    def record_session(self, record: SessionRecord) -> None:
        """Write (or rewrite) one session record, durably, now."""
        for _, why in write_batch(self._db, [], [record]).failed_sessions:
            raise why
        self._next_session_id = max(self._next_session_id, record.id + 1)
        self._changed()

    # -- group commit (used from the event loop) ----------------------------------

    async def deliver(
        self,
        session_id: int | None,
        envelope_from: str,
        raw: bytes,
        placements: Sequence[Placement],
        *,
        message_id: str = "",
        received_at: datetime | None = None,
    ) -> list[int]:
        """``commit_delivery`` for the event loop: returns once the message is durable.

        Messages that end while a commit is in flight share the next one
        (group commit in a writer thread), so the loop never waits for an
        fsync and each 250 still follows its own message's commit.
        """
        delivery = Delivery(
            session_id,
            envelope_from,
            raw,
            tuple(placements),
            message_id,
            received_at or self._clock.now(),
        )
        ids = await self._group().deliver(delivery)
        self._changed()
        return ids

    def _changed(self) -> None:
        for watcher in list(self.watchers):
            watcher()

    def clear(self) -> None:
        """Empty the store (every message, body and session): the console's reset."""
        with self._db:
            self._db.execute("DELETE FROM messages")
            self._db.execute("DELETE FROM bodies")
            self._db.execute("DELETE FROM sessions")
        self._changed()

    def record_session_soon(self, record: SessionRecord) -> None:
        """Queue a session record for the next group commit (``close`` writes what is left)."""
        self._next_session_id = max(self._next_session_id, record.id + 1)
        self._group().record_session(record)
        self._changed()

    async def flush(self) -> None:
        """Wait until everything queued so far has been through a commit (written or refused)."""
        if self._committer is not None:
            await self._committer.flush()

    def _group(self) -> GroupCommitter:
        if self._read_only:
            raise StoreError(f"{self.path}: opened to read only")
        if self._committer is None:
            writer = connect(self.path)
            if self._page_limit is not None:
                _limit_pages(writer, self._page_limit)
            self._writer = writer
            self._committer = GroupCommitter(partial(write_batch, writer), writer.close)
        return self._committer

    # -- reading ---------------------------------------------------------------

    def messages(
        self, mailbox: str | None = None, folder: str | None = None, id: int | None = None
    ) -> list[StoredMessage]:
        """Placed copies, oldest first, optionally for one mailbox and/or folder, or one id."""
        sql = (
            "SELECT m.id, m.message_id, m.mailbox, m.folder, m.envelope_from, m.envelope_to, "
            "m.size, m.scl, m.headers_added, b.raw, m.session_id, m.received_at "
            "FROM messages m JOIN bodies b ON b.id = m.body_id"
        )
        where: list[str] = []
        args: list[Any] = []
        if mailbox is not None:
            where.append("m.mailbox = ? COLLATE NOCASE")
            args.append(mailbox)
        if folder is not None:
            where.append("m.folder = ? COLLATE NOCASE")
            args.append(folder)
        if id is not None:
            where.append("m.id = ?")
            args.append(id)
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._db.execute(sql + " ORDER BY m.id", args).fetchall()
        return [_message(row) for row in rows]

    def sessions(self, id: int | None = None, last: int | None = None) -> list[SessionRecord]:
        """Recorded sessions, oldest first: all, the one ``id``, or the ``last`` few."""
        sql = (
            "SELECT id, endpoint, port, client, public_ip, site, tls_version, cipher, identity, "
            "auth_method, transcript, notes, outcome, started_at, ended_at, extra FROM sessions"
        )
        if id is not None:
            rows = self._db.execute(sql + " WHERE id = ?", (id,)).fetchall()
        elif last is not None:
            rows = self._db.execute(sql + " ORDER BY id DESC LIMIT ?", (last,)).fetchall()[::-1]
        else:
            rows = self._db.execute(sql + " ORDER BY id").fetchall()
        return [_session(row) for row in rows]

    def folder_counts(self) -> dict[tuple[str, str], int]:
        """How many copies each (mailbox, folder) holds, without reading any body."""
        rows = self._db.execute(
            "SELECT mailbox, folder, COUNT(*) FROM messages GROUP BY mailbox, folder"
        ).fetchall()
        return {(str(mailbox), str(folder)): int(n) for mailbox, folder, n in rows}


def _store_file(path: Path | str) -> Path:
    """The store's file: ``path`` itself, or the store file in the directory ``path``."""
    path = Path(path)
    return path / STORE_FILE if path.is_dir() else path


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    return db


def _limit_pages(db: sqlite3.Connection, pages: int) -> int:
    """``max_page_count`` is per connection: every connection that writes gets it."""
    row = db.execute(f"PRAGMA max_page_count = {int(pages)}").fetchone()
    return int(row[0])


class _RecordFailed(Exception):
    """A record failed and took the attempt with it: write the batch again without it."""


def write_batch(
    db: sqlite3.Connection, deliveries: Sequence[Delivery], sessions: Sequence[SessionRecord]
) -> BatchOutcome:
    """Write deliveries and session records in ONE transaction, each record on its own.

    The batch is first written plainly, each table's rows in one multi-row
    INSERT (``_write_together``). If any record fails, that attempt is
    rolled back and the batch is written again with every record inside its
    own SAVEPOINT: a record that fails is undone alone and reported as its own
    outcome while the others commit, so one client's bytes never cost another
    client its message (savepoints cost about half the write time, so only a
    batch that needs them pays). Some errors (a full disk among them) make
    SQLite abandon the whole transaction
    (https://www.sqlite.org/lang_transaction.html, "Response To Errors Within
    A Transaction"); then the batch is written again without the records that
    failed. Only when BEGIN or COMMIT fails does every record share the error.
    """
    try:
        return BatchOutcome(list(_write_together(db, deliveries, sessions)), [])
    except _RecordFailed:
        pass  # which record: the careful attempts below find it
    except Exception as error:
        cause = classify(error)
        return BatchOutcome([cause] * len(deliveries), [(s, cause) for s in sessions])
    writes: list[Callable[[], list[int] | None]] = [
        *(partial(_insert_delivery, db, d) for d in deliveries),
        *(partial(_insert_session, db, s) for s in sessions),
    ]
    refused: dict[int, Exception] = {}
    careful = True
    while True:
        try:
            written = _write_once(db, writes, refused, careful)
            break
        except _RecordFailed:
            careful = True
        except Exception as error:
            cause = classify(error)
            return BatchOutcome([cause] * len(deliveries), [(s, cause) for s in sessions])
    results: list[list[int] | Exception] = [
        refused[i] if i in refused else cast(list[int], written[i]) for i in range(len(deliveries))
    ]
    failed = [(s, refused[i]) for i, s in enumerate(sessions, len(deliveries)) if i in refused]
    return BatchOutcome(results, failed)


ROWS_PER_INSERT = 64
"""Rows one multi-row INSERT carries (16 columns x 64 stays far below SQLite's 32,766
bound parameters); a larger batch takes several statements."""


def _write_together(
    db: sqlite3.Connection, deliveries: Sequence[Delivery], sessions: Sequence[SessionRecord]
) -> list[list[int]]:
    """The whole batch in one transaction, each table's rows in as few statements as possible.

    The writer thread gives up the GIL the event loop needs for every
    statement it steps, so one statement per table and batch, instead of one
    per row, spares the loop most of those hand-overs (and SQLite its
    per-statement work). The row ids come from ``lastrowid``: the rows of one
    INSERT take consecutive ids, each one more than the largest in its table
    (https://www.sqlite.org/autoinc.html; the store never writes an explicit
    id into ``bodies`` or ``messages``, so the random fallback at the largest
    possible id cannot happen). A record that fails raises ``_RecordFailed``
    (the careful attempt then finds it); BEGIN or COMMIT failing raises itself.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        try:
            ids = _insert_deliveries(db, deliveries)
            for start in range(0, len(sessions), ROWS_PER_INSERT):
                chunk = sessions[start : start + ROWS_PER_INSERT]
                db.execute(
                    _SESSION_INSERT + ", ".join([_SESSION_ROW] * len(chunk)),
                    [value for record in chunk for value in _session_row(record)],
                )
        except Exception as error:
            raise _RecordFailed from error
        db.execute("COMMIT")
    except BaseException:
        _rollback(db)
        raise
    return ids


def _insert_deliveries(db: sqlite3.Connection, deliveries: Sequence[Delivery]) -> list[list[int]]:
    """Every body, then every placed copy, of ``deliveries``; each delivery's message row ids."""
    body_ids: list[int] = []
    for start in range(0, len(deliveries), ROWS_PER_INSERT):
        bodies = [d.raw for d in deliveries[start : start + ROWS_PER_INSERT]]
        cur = db.execute(
            "INSERT INTO bodies (raw) VALUES " + ", ".join(["(?)"] * len(bodies)), bodies
        )
        last = cast(int, cur.lastrowid)
        body_ids.extend(range(last - len(bodies) + 1, last + 1))
    rows = [
        _message_row(d, p, body_id, _iso(d.received_at))
        for d, body_id in zip(deliveries, body_ids, strict=True)
        for p in d.placements
    ]
    message_ids: list[int] = []
    for start in range(0, len(rows), ROWS_PER_INSERT):
        some = rows[start : start + ROWS_PER_INSERT]
        cur = db.execute(
            _MESSAGE_INSERT + ", ".join([_MESSAGE_ROW] * len(some)),
            [value for row in some for value in row],
        )
        last = cast(int, cur.lastrowid)
        message_ids.extend(range(last - len(some) + 1, last + 1))
    ids: list[list[int]] = []
    taken = 0
    for d in deliveries:
        ids.append(message_ids[taken : taken + len(d.placements)])
        taken += len(d.placements)
    return ids


def _write_once(
    db: sqlite3.Connection,
    writes: Sequence[Callable[[], list[int] | None]],
    refused: dict[int, Exception],
    careful: bool,
) -> dict[int, list[int] | None]:
    """One attempt at the batch, leaving out the records already refused.

    Plain (``careful`` false), the first failing record ends the attempt.
    Careful, each record has its own savepoint and a failure is undone alone,
    unless SQLite abandoned the transaction: that ends the attempt too.
    """
    written: dict[int, list[int] | None] = {}
    db.execute("BEGIN IMMEDIATE")
    try:
        for index, write in enumerate(writes):
            if index in refused:
                continue
            if careful:
                db.execute("SAVEPOINT record")
            try:
                written[index] = write()
            except Exception as error:
                refused[index] = classify(error)
                if not careful or not db.in_transaction:
                    raise _RecordFailed from error
                db.execute("ROLLBACK TO record")
            if careful:
                db.execute("RELEASE record")
        db.execute("COMMIT")
    except BaseException:
        _rollback(db)
        raise
    return written


def _rollback(db: sqlite3.Connection) -> None:
    """Roll back what is left: SQLite may already have, and a second error hides the first."""
    if db.in_transaction:
        db.execute("ROLLBACK")


def _text(value: str | None) -> str | bytes | None:
    """A string as SQLite can hold it: valid text as TEXT, raw client bytes as a BLOB of them."""
    if value is None or value.isascii():  # nearly every value: no trial encoding to allocate
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return value.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a lone surrogate no byte stands for (not from the wire)
            return value.encode("utf-8", "backslashreplace")
    return value


def _str(value: str | bytes | None) -> str:
    """The string ``_text`` stored, exactly."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return value or ""


def _str_or_none(value: str | bytes | None) -> str | None:
    return None if value is None else _str(value)


_MESSAGE_INSERT = (
    "INSERT INTO messages (message_id, mailbox, folder, envelope_from, envelope_to, size, "
    "scl, headers_added, body_id, session_id, received_at) VALUES "
)
_MESSAGE_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_SESSION_INSERT = (
    "INSERT OR REPLACE INTO sessions (id, endpoint, port, client, public_ip, site, "
    "tls_version, cipher, identity, auth_method, transcript, notes, outcome, "
    "started_at, ended_at, extra) VALUES "
)
_SESSION_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


def _message_row(d: Delivery, p: Placement, body_id: int, when: str) -> tuple[Any, ...]:
    return (
        _text(d.message_id),
        _text(p.mailbox),
        p.folder,
        _text(d.envelope_from),
        json.dumps(list(p.recipients)),
        len(d.raw),
        p.scl,
        json.dumps([list(h) for h in p.prepend_headers]),
        body_id,
        d.session_id,
        when,
    )


def _insert_delivery(db: sqlite3.Connection, d: Delivery) -> list[int]:
    body_id = cast(int, db.execute("INSERT INTO bodies (raw) VALUES (?)", (d.raw,)).lastrowid)
    when = _iso(d.received_at)
    ids: list[int] = []
    for p in d.placements:
        cur = db.execute(_MESSAGE_INSERT + _MESSAGE_ROW, _message_row(d, p, body_id, when))
        ids.append(cast(int, cur.lastrowid))
    return ids


def _session_row(record: SessionRecord) -> tuple[Any, ...]:
    return (
        record.id,
        _text(record.endpoint),
        record.port,
        _text(record.client),
        _text(record.public_ip),
        _text(record.site),
        _text(record.tls_version),
        _text(record.cipher),
        _text(record.identity),
        _text(record.auth_method),
        transcript_json(record.transcript),
        json.dumps(list(record.notes)),
        _text(record.outcome),
        _iso(record.started_at),
        _iso(record.ended_at) if record.ended_at else None,
        json.dumps(record.extra),
    )


def _insert_session(db: sqlite3.Connection, record: SessionRecord) -> None:
    db.execute(_SESSION_INSERT + _SESSION_ROW, _session_row(record))


_quote = json.encoder.encode_basestring_ascii
"""What ``json.dumps`` writes for a string (``ensure_ascii``), the C version."""


def transcript_json(lines: Sequence[TranscriptLine]) -> str:
    """``json.dumps([{"t": …, "dir": …, "line": …}, …])``, the same text, written directly.

    Encoding the transcripts was the largest share of the writer thread's
    Python work (which holds the GIL the event loop needs): a dict per line
    for ``json.dumps`` to walk. The text is identical, so every reader of
    the column, old or new, reads the same thing. Times are finite floats
    (``repr`` is what ``json.dumps`` writes for them); anything else takes
    ``json.dumps`` itself.
    """
    times = [x.t for x in lines]
    if set(map(type, times)) - {float} or not all(map(math.isfinite, times)):
        return json.dumps([{"t": x.t, "dir": x.dir, "line": x.line} for x in lines])
    quote, number = _quote, float.__repr__
    text = ", ".join(
        [f'{{"t": {number(x.t)}, "dir": {quote(x.dir)}, "line": {quote(x.line)}}}' for x in lines]
    )
    return f"[{text}]"


def _iso(when: datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _message(row: tuple[Any, ...]) -> StoredMessage:
    return StoredMessage(
        id=row[0],
        message_id=_str(row[1]),
        mailbox=_str(row[2]),
        folder=cast(Folder, row[3]),
        envelope_from=_str(row[4]),
        envelope_to=tuple(json.loads(row[5])),
        size=row[6],
        scl=row[7],
        headers_added=tuple((str(n), str(v)) for n, v in json.loads(row[8])),
        body=bytes(row[9]),
        session_id=row[10],
        received_at=datetime.fromisoformat(row[11]),
    )


def _session(row: tuple[Any, ...]) -> SessionRecord:
    return SessionRecord(
        id=row[0],
        endpoint=_str(row[1]),
        port=row[2],
        client=_str(row[3]),
        public_ip=_str(row[4]),
        site=_str_or_none(row[5]),
        tls_version=_str_or_none(row[6]),
        cipher=_str_or_none(row[7]),
        identity=_str_or_none(row[8]),
        auth_method=_str_or_none(row[9]),
        transcript=tuple(
            TranscriptLine(t=float(x["t"]), dir=x["dir"], line=str(x["line"]))
            for x in json.loads(row[10])
        ),
        notes=tuple(json.loads(row[11])),
        outcome=_str(row[12]),
        started_at=datetime.fromisoformat(row[13]),
        ended_at=datetime.fromisoformat(row[14]) if row[14] else None,
        extra=dict(json.loads(row[15])),
    )
