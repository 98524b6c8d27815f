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
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from exolab.emulator.clock import Clock, LabClock
from exolab.emulator.store.group import GroupCommitter
from exolab.emulator.store.model import (
    Folder,
    Placement,
    SessionRecord,
    StoredMessage,
    TranscriptLine,
)

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


class StoreError(Exception):
    """The store file cannot be opened or is not an exolab store."""


class Store:
    """Messages and sessions of one lab, on disk."""

    def __init__(self, connection: sqlite3.Connection, path: Path, clock: Clock) -> None:
        self._db = connection
        self.path = path
        self._clock = clock
        self.closed = False
        self._committer: GroupCommitter | None = None
        row = self._db.execute(
            "SELECT MAX(m) FROM (SELECT MAX(id) AS m FROM sessions "
            "UNION ALL SELECT MAX(session_id) FROM messages)"
        ).fetchone()
        self._next_session_id = int(row[0] or 0) + 1

    @classmethod
    def open(cls, path: Path | str, clock: Clock | None = None) -> Store:
        """Open (creating if needed) the store at ``path``: a file, or a directory holding one."""
        path = Path(path)
        if path.is_dir():
            path = path / STORE_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = connect(path)
            db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a usable exolab store ({exc})") from exc
        return cls(db, path, clock or LabClock())

    def close(self) -> None:
        """Checkpoint and close (twice is harmless); everything committed stays on disk."""
        if self.closed:
            return
        self.closed = True
        if self._committer is not None:
            left = self._committer.close()
            if left:
                write_batch(self._db, [], left)
        try:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self._db.close()

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
        return write_batch(self._db, [delivery], [])[0]

    def record_session(self, record: SessionRecord) -> None:
        """Write (or rewrite) one session record, durably, now."""
        write_batch(self._db, [], [record])
        self._next_session_id = max(self._next_session_id, record.id + 1)

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
        return await self._group().deliver(delivery)

    def record_session_soon(self, record: SessionRecord) -> None:
        """Queue a session record for the next group commit (``close`` writes what is left)."""
        self._next_session_id = max(self._next_session_id, record.id + 1)
        self._group().record_session(record)

    async def flush(self) -> None:
        """Wait until everything queued is on disk."""
        if self._committer is not None:
            await self._committer.flush()

    def _group(self) -> GroupCommitter:
        if self._committer is None:
            self._committer = GroupCommitter(connect(self.path))
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


@dataclass(frozen=True, slots=True)
class Delivery:
    """One accepted message and where its copies go."""

    session_id: int | None
    envelope_from: str
    raw: bytes
    placements: tuple[Placement, ...]
    message_id: str
    received_at: datetime

    def __post_init__(self) -> None:
        if not self.placements:
            raise ValueError("a delivery needs at least one placement")


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    return db


def write_batch(
    db: sqlite3.Connection, deliveries: Sequence[Delivery], sessions: Sequence[SessionRecord]
) -> list[list[int]]:
    """Write deliveries and session records in ONE transaction; the row ids per delivery."""
    db.execute("BEGIN IMMEDIATE")
    try:
        result = [_insert_delivery(db, d) for d in deliveries]
        for record in sessions:
            _insert_session(db, record)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return result


def _insert_delivery(db: sqlite3.Connection, d: Delivery) -> list[int]:
    body_id = db.execute("INSERT INTO bodies (raw) VALUES (?)", (d.raw,)).lastrowid
    when = _iso(d.received_at)
    ids: list[int] = []
    for p in d.placements:
        cur = db.execute(
            "INSERT INTO messages (message_id, mailbox, folder, envelope_from, "
            "envelope_to, size, scl, headers_added, body_id, session_id, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                d.message_id,
                p.mailbox,
                p.folder,
                d.envelope_from,
                json.dumps(list(p.recipients)),
                len(d.raw),
                p.scl,
                json.dumps([list(h) for h in p.prepend_headers]),
                body_id,
                d.session_id,
                when,
            ),
        )
        ids.append(cast(int, cur.lastrowid))
    return ids


def _insert_session(db: sqlite3.Connection, record: SessionRecord) -> None:
    db.execute(
        "INSERT OR REPLACE INTO sessions (id, endpoint, port, client, public_ip, site, "
        "tls_version, cipher, identity, auth_method, transcript, notes, outcome, "
        "started_at, ended_at, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.id,
            record.endpoint,
            record.port,
            record.client,
            record.public_ip,
            record.site,
            record.tls_version,
            record.cipher,
            record.identity,
            record.auth_method,
            json.dumps([{"t": x.t, "dir": x.dir, "line": x.line} for x in record.transcript]),
            json.dumps(list(record.notes)),
            record.outcome,
            _iso(record.started_at),
            _iso(record.ended_at) if record.ended_at else None,
            json.dumps(record.extra),
        ),
    )


def _iso(when: datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _message(row: tuple[Any, ...]) -> StoredMessage:
    return StoredMessage(
        id=row[0],
        message_id=row[1],
        mailbox=row[2],
        folder=cast(Folder, row[3]),
        envelope_from=row[4],
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
        endpoint=row[1],
        port=row[2],
        client=row[3],
        public_ip=row[4],
        site=row[5],
        tls_version=row[6],
        cipher=row[7],
        identity=row[8],
        auth_method=row[9],
        transcript=tuple(
            TranscriptLine(t=float(x["t"]), dir=x["dir"], line=str(x["line"]))
            for x in json.loads(row[10])
        ),
        notes=tuple(json.loads(row[11])),
        outcome=row[12],
        started_at=datetime.fromisoformat(row[13]),
        ended_at=datetime.fromisoformat(row[14]) if row[14] else None,
        extra=dict(json.loads(row[15])),
    )
