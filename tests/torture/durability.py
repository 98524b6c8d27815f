"""Durability: a client-side ledger under load, kill -9 at seeded moments, restart, count.

Submission clients (STARTTLS, AUTH) and direct-send clients on the MX send
messages as fast as the lab takes them; each body carries a unique token and
the ledger records the answer to its final dot. At seeded random moments the
lab is killed with SIGKILL and restarted on the same data directory; after
each restart the store is read (read-only SQLite, as another process would).

- lost: answered 250 but not in the store. Must be 0: a 250 promises disk.
- truncated: in the store with a body other than the one sent. Must be 0.
- duplicates: in the store but never answered 250 (the kill came between
  the commit and the reply), or stored twice. Reported: a client retries
  those, as a real MTA does.
"""

from __future__ import annotations

import random
import re
import ssl
import threading
import time
from dataclasses import dataclass, field

from tests.emulator.smtp.wire import RawClient
from tests.torture.figures import Figures
from tests.torture.served import ServedLab
from tests.torture.wire import (
    INBOX,
    MX_RCPT,
    USER,
    Refused,
    expect,
    judge,
    message,
    mx_session,
    submission_session,
)

# The submission limits stay Exchange's except the per-minute rate, which would
# otherwise make the ledger wait instead of load the store.
SETTINGS = ("Limits.MessagesPerMinute=100000",)
TOKEN = re.compile(rb"\r\ntoken (D[0-9a-z-]+)\r\n")


@dataclass
class Entry:
    token: str
    body: bytes
    reply: str | None = None  # the answer to the final dot; None: the connection died first
    answered_at: float = 0.0

    @property
    def acknowledged(self) -> bool:
        return self.reply is not None and self.reply.startswith("250")


@dataclass
class Ledger:
    entries: dict[str, Entry] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, entry: Entry) -> None:
        with self.lock:
            self.entries[entry.token] = entry

    def snapshot(self) -> list[Entry]:
        with self.lock:
            return list(self.entries.values())


@dataclass
class Load:
    """The shared switches of the clients: ``up`` while the lab serves, ``stop`` at the end."""

    lab: ServedLab
    context: ssl.SSLContext
    ledger: Ledger
    figures: Figures
    up: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)


def _client(load: Load, front_end: str, worker: int, seed: int) -> None:
    rng = random.Random(f"{seed}:{front_end}:{worker}")
    rcpt = INBOX if front_end == "s" else MX_RCPT
    seq = 0
    while not load.stop.is_set():
        if not load.up.wait(0.5):
            continue
        try:
            client: RawClient = (
                submission_session(load.lab, load.context, timeout=10)
                if front_end == "s"
                else mx_session(load.lab, timeout=10)
            )
        except (Refused, OSError, UnicodeDecodeError):
            load.stop.wait(0.05)
            continue
        try:
            for _ in range(rng.randint(1, 5)):
                if load.stop.is_set():
                    break
                token = f"D{front_end}{worker}-{seq:06d}"
                seq += 1
                expect(client, f"MAIL FROM:<{USER}>", "250")
                expect(client, f"RCPT TO:<{rcpt}>", "250")
                expect(client, "DATA", "354")
                entry = Entry(token, message(token, USER, rcpt, filler=rng.randint(0, 300)))
                load.ledger.add(entry)
                client.send(entry.body + b".\r\n")
                reply = client.reply()[-1]
                entry.answered_at = time.monotonic()
                entry.reply = reply
            client.cmd("QUIT")
        except (Refused, OSError, UnicodeDecodeError):
            pass  # killed in the middle: the ledger says what was answered
        finally:
            judge(load.figures, client.lines, f"durability {front_end}{worker}")
            client.close()


@dataclass
class Tally:
    lost: set[str] = field(default_factory=set)
    truncated: set[str] = field(default_factory=set)
    duplicates: set[str] = field(default_factory=set)


def count(lab: ServedLab, ledger: Ledger, tally: Tally, final: bool = False) -> None:
    """Compare the store with the ledger; only answers given before the read are judged.

    Duplicates are judged on the ``final`` read only, when no client is talking: in
    between, a message may be stored and its answer still on the way."""
    since = time.monotonic()
    entries = ledger.snapshot()
    stored: dict[str, list[bytes]] = {}
    for body in lab.bodies():
        found = TOKEN.search(body)
        if found:
            stored.setdefault(found.group(1).decode(), []).append(body)
    for entry in entries:
        copies = stored.get(entry.token, [])
        if entry.acknowledged and entry.answered_at < since and not copies:
            tally.lost.add(entry.token)
        if any(copy != entry.body for copy in copies):
            tally.truncated.add(entry.token)
        if final and (len(copies) > 1 or (copies and not entry.acknowledged)):
            tally.duplicates.add(entry.token)


def durability(
    lab: ServedLab,
    kills: int,
    seed: int,
    workers: int = 3,
    load_seconds: tuple[float, float] = (0.4, 2.0),
) -> Figures:
    """``kills`` SIGKILLs under load, each after a seeded stretch of ``load_seconds``."""
    figures = Figures("durability")
    rng = random.Random(seed)
    ledger = Ledger()
    load = Load(lab, lab.client_context(), ledger, figures)
    threads = [
        threading.Thread(target=_client, args=(load, kind, n, seed), daemon=True)
        for kind in ("s", "m")
        for n in range(workers)
    ]
    tally = Tally()
    before = lab.tracebacks()
    load.up.set()
    for thread in threads:
        thread.start()
    try:
        for _ in range(kills):
            load.stop.wait(rng.uniform(*load_seconds))
            load.up.clear()
            lab.kill9()
            lab.start()
            load.context = lab.client_context()
            count(lab, ledger, tally)
            load.up.set()
        load.stop.wait(rng.uniform(*load_seconds))
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(30)
        lab.stop()
    count(lab, ledger, tally, final=True)  # after the clean stop: the file as it stays
    entries = ledger.snapshot()
    acked = sum(e.acknowledged for e in entries)
    refused = [e for e in entries if e.reply is not None and not e.acknowledged]
    in_flight = sum(e.reply is None for e in entries)
    figures.tried = len(entries)
    figures.lost = len(tally.lost)
    figures.truncated = len(tally.truncated)
    figures.duplicates = len(tally.duplicates)
    figures.failed = len(refused) + figures.lost + figures.truncated
    for token in sorted(tally.lost)[:3]:
        figures.example(f"lost: {token} answered {ledger.entries[token].reply!r}")
    for token in sorted(tally.truncated)[:3]:
        figures.example(f"truncated: {token}")
    for entry in refused[:3]:
        figures.example(f"refused: {entry.token}: {entry.reply!r}")
    # Each kill writes no traceback; one written means a start or a session broke.
    figures.crashes += lab.tracebacks() - before
    figures.notes.append(
        f"seed {seed}: {kills} kill -9, {acked} acknowledged, {len(refused)} refused, "
        f"{in_flight} unanswered (in flight at a kill)"
    )
    return figures
