"""The store keeps every copy of a message and every session, durably."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.store import (
    FOLDERS,
    Placement,
    SessionRecord,
    Store,
    StoreError,
    TranscriptLine,
)
from exolab.emulator.store.sqlite import transcript_json

CLOCK = FixedClock(utc(2026, 11, 27, 9, 30))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path, clock=CLOCK)
    yield s
    s.close()


def test_one_body_many_placements(store: Store) -> None:
    raw = b"Subject: hi\r\n\r\nbody\r\n"
    ids = store.commit_delivery(
        7,
        "scanner@contoso.com",
        raw,
        [
            Placement(
                "bob@contoso.com",
                "Inbox",
                (("Received", "from x"),),
                recipients=("bob@contoso.com",),
            ),
            Placement("scanner@contoso.com", "Sent Items", recipients=("bob@contoso.com",)),
        ],
        message_id="<a@b>",
    )
    assert len(ids) == 2
    inbox = store.messages(mailbox="BOB@contoso.com", folder="inbox")
    assert [m.id for m in inbox] == [ids[0]]
    assert inbox[0].raw == b"Received: from x\r\n" + raw
    assert inbox[0].size == len(raw)
    assert inbox[0].session_id == 7
    assert inbox[0].received_at == CLOCK.now()
    sent = store.messages(folder="Sent Items")
    assert sent[0].raw == raw
    assert store._db.execute("SELECT COUNT(*) FROM bodies").fetchone()[0] == 1


def test_placement_refuses_an_unknown_folder() -> None:
    with pytest.raises(ValueError, match="folder must be one of"):
        Placement("a@b.c", "Deleted Items")  # type: ignore[arg-type]


def test_a_delivery_needs_a_placement(store: Store) -> None:
    with pytest.raises(ValueError):
        store.commit_delivery(None, "a@b.c", b"x", [])


def test_a_file_that_is_not_a_store_gets_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "lab.sqlite3"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"lab\.sqlite3"):
        Store.open(bad)


def test_a_closed_store_reads_back_read_only(tmp_path: Path) -> None:
    """The scenario runner reads the store its lab just closed, without opening it to write."""
    lab = Store.open(tmp_path, clock=CLOCK)
    lab.commit_delivery(
        3, "scanner@contoso.com", b"Subject: x\r\n\r\nbody\r\n",
        [Placement("bob@contoso.com", "Inbox", recipients=("bob@contoso.com",))],
        message_id="<r@o>",
    )  # fmt: skip
    lab.close()
    before = (tmp_path / "lab.sqlite3").read_bytes()
    view = Store.read_only(tmp_path)
    try:
        assert [(m.mailbox, m.folder, m.session_id) for m in view.messages()] == [
            ("bob@contoso.com", "Inbox", 3)
        ]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):  # SQLite refuses
            view.commit_delivery(
                4, "a@b.c", b"x\r\n", [Placement("bob@contoso.com", "Inbox")], message_id="<x>"
            )
        record = SessionRecord(
            id=9, endpoint="smtp.office365.com", port=587, client="127.20.0.10",
            public_ip="203.0.113.39", site=None, started_at=CLOCK.now(), ended_at=None,
            tls_version=None, cipher=None, identity=None, auth_method=None,
            transcript=(), notes=(), outcome="closed",
        )  # fmt: skip
        with pytest.raises(StoreError, match="read only"):  # no writer opens behind it
            view.record_session_soon(record)
    finally:
        view.close()
        view.close()
    assert (tmp_path / "lab.sqlite3").read_bytes() == before


def test_reading_what_is_no_store_gets_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no exolab store"):
        Store.read_only(tmp_path)
    (tmp_path / "lab.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"lab\.sqlite3"):
        Store.read_only(tmp_path)


def wal_commits(wal: Path) -> int:
    """Commits in a SQLite WAL file: frames whose header records a database size."""
    data = wal.read_bytes()
    page_size = int.from_bytes(data[8:12], "big")
    frames = range(32, len(data), 24 + page_size)
    return sum(1 for at in frames if int.from_bytes(data[at + 4 : at + 8], "big"))


def test_a_new_store_gets_its_whole_schema_in_one_commit(tmp_path: Path) -> None:
    """One commit is one fsync of the WAL: a lab per scenario opens a new store each time."""
    store = Store.open(tmp_path)
    try:
        assert wal_commits(tmp_path / "lab.sqlite3-wal") == 1
        assert store.messages() == [] and store.sessions() == []
    finally:
        store.close()
    again = Store.open(tmp_path)
    assert again.folder_counts() == {}
    again.close()


addresses = st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.com", fullmatch=True)
header = st.tuples(
    st.from_regex(r"[A-Za-z][A-Za-z-]{0,20}", fullmatch=True),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
)
placement = st.builds(
    Placement,
    mailbox=addresses,
    folder=st.sampled_from(FOLDERS),
    prepend_headers=st.lists(header, max_size=3).map(tuple),
    scl=st.one_of(st.none(), st.integers(-1, 9)),
    recipients=st.lists(addresses, max_size=4).map(tuple),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.binary(max_size=4096),
    placements=st.lists(placement, min_size=1, max_size=4),
    sender=addresses,
)
def test_round_trip(tmp_path: Path, raw: bytes, placements: list[Placement], sender: str) -> None:
    with_store = Store.open(tmp_path / "rt.sqlite3", clock=CLOCK)
    try:
        ids = with_store.commit_delivery(3, sender, raw, placements, message_id="<m@x>")
        got = {m.id: m for m in with_store.messages()}
        for row_id, p in zip(ids, placements, strict=True):
            m = got[row_id]
            assert (m.mailbox, m.folder, m.scl) == (p.mailbox, p.folder, p.scl)
            assert m.headers_added == p.prepend_headers
            assert m.envelope_to == p.recipients
            assert m.body == raw
            assert m.envelope_from == sender
            assert m.message_id == "<m@x>"
    finally:
        with_store.close()


def test_session_round_trip_and_ids_survive_reopen(tmp_path: Path) -> None:
    s = Store.open(tmp_path, clock=CLOCK)
    sid = s.allocate_session_id()
    rec = SessionRecord(
        id=sid,
        endpoint="smtp.office365.com",
        port=587,
        client="127.20.0.10",
        public_ip="203.0.113.39",
        site="office",
        started_at=CLOCK.now(),
        ended_at=CLOCK.now(),
        tls_version="TLSv1.2",
        cipher="ECDHE-RSA-AES256-GCM-SHA384",
        identity="scanner@contoso.com",
        auth_method="LOGIN",
        transcript=(TranscriptLine(0.0, "S", "220 x"), TranscriptLine(0.01, "C", "EHLO y")),
        notes=("auth: ok",),
        outcome="delivered",
    )
    s.record_session(rec)
    s.close()
    s2 = Store.open(tmp_path, clock=CLOCK)
    assert s2.sessions() == [rec]
    assert s2.allocate_session_id() == sid + 1
    s2.close()


def test_a_commit_survives_a_crash(tmp_path: Path) -> None:
    """A child commits, then dies without closing; a fresh store sees the message."""
    root = Path(__file__).resolve().parents[3]
    child = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(root)!r})
        from exolab.emulator.store import Placement, Store
        s = Store.open({str(tmp_path)!r})
        ids = s.commit_delivery(1, "a@contoso.com", b"X" * 1_000_000,
                                [Placement("b@contoso.com", "Inbox")])
        print(ids[0], flush=True)
        os._exit(9)
        """
    )
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=False)
    assert out.returncode == 9, out.stderr
    row_id = int(out.stdout)
    s = Store.open(tmp_path)
    [m] = s.messages()
    assert m.id == row_id and m.body == b"X" * 1_000_000
    s.close()


async def test_group_commit_many_concurrent_deliveries(tmp_path: Path) -> None:
    """Deliveries awaited together all land, each durable when its await returns."""
    import asyncio

    s = Store.open(tmp_path, clock=CLOCK)

    async def one(i: int) -> list[int]:
        ids = await s.deliver(
            i,
            "a@contoso.com",
            f"Subject: {i}\r\n\r\n".encode(),
            [Placement("b@contoso.com", "Inbox")],
        )
        other = Store.open(tmp_path)  # a second connection sees it as soon as the await returns
        try:
            assert [m.id for m in other.messages() if m.session_id == i] == ids
        finally:
            other.close()
        return ids

    results = await asyncio.gather(*(one(i) for i in range(40)))
    assert len({i for ids in results for i in ids}) == 40
    s.record_session_soon(
        SessionRecord(
            id=99,
            endpoint="e",
            port=25,
            client="c",
            public_ip="p",
            site=None,
            started_at=CLOCK.now(),
        )
    )
    s.close()  # writes the queued record
    again = Store.open(tmp_path)
    assert [r.id for r in again.sessions()] == [99]
    assert len(again.messages()) == 40
    again.close()


def test_a_raw_utf8_subject_reads_back_as_written() -> None:
    from datetime import UTC, datetime

    from exolab.emulator.store.model import StoredMessage
    from exolab.emulator.store.views import subject_of

    body = "From: scanner@contoso.com\r\nSubject: スキャン 001\r\n\r\nx\r\n".encode()
    m = StoredMessage(
        1,
        "<a@b>",
        "bob@contoso.com",
        "Inbox",
        "scanner@contoso.com",
        (),
        len(body),
        None,
        (),
        body,
        None,
        datetime(2026, 11, 27, tzinfo=UTC),
    )
    assert subject_of(m) == "スキャン 001"


def test_lookups_by_id_latest_sessions_and_folder_counts(store: Store) -> None:
    """What the API page and the by-id routes read, without loading every body."""
    inbox = Placement("alice@contoso.com", "Inbox", recipients=("alice@contoso.com",))
    sent = Placement("scanner@contoso.com", "Sent Items", recipients=("alice@contoso.com",))
    first = store.commit_delivery(None, "scanner@contoso.com", b"Subject: 1\r\n\r\n", [inbox, sent])
    store.commit_delivery(None, "scanner@contoso.com", b"Subject: 2\r\n\r\n", [inbox])
    assert [m.id for m in store.messages(id=first[1])] == [first[1]]
    assert store.messages(id=999) == []
    assert store.folder_counts() == {
        ("alice@contoso.com", "Inbox"): 2,
        ("scanner@contoso.com", "Sent Items"): 1,
    }
    for sid in (1, 2, 3):
        store.record_session(
            SessionRecord(sid, "smtp.office365.com", 587, "127.20.0.10", "203.0.113.39", "office",
                          started_at=CLOCK.now())
        )  # fmt: skip
    assert [s.id for s in store.sessions(last=2)] == [2, 3]
    assert [s.id for s in store.sessions(id=2)] == [2]
    assert store.sessions(id=7) == []


@given(
    st.lists(
        st.tuples(
            st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**6), 10**6)),
            st.sampled_from(["C", "S"]),
            st.text(),  # any code point: quotes, controls, non-ASCII, lone surrogates
        ),
        max_size=8,
    )
)
def test_transcript_text_is_exactly_what_json_dumps_writes(
    lines: list[tuple[float, str, str]],
) -> None:
    transcript = [TranscriptLine(t, d, line) for t, d, line in lines]  # type: ignore[arg-type]
    expected = json.dumps([{"t": x.t, "dir": x.dir, "line": x.line} for x in transcript])
    assert transcript_json(transcript) == expected
