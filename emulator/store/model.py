"""The records the store keeps: where a message was placed, and what a session did.

Plain frozen values so policy, adapters, the CLI, the API and the group
committer can pass them around without touching SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Folder = Literal["Inbox", "Junk Email", "Quarantine", "Sent Items", "Outbound"]
FOLDERS: tuple[Folder, ...] = ("Inbox", "Junk Email", "Quarantine", "Sent Items", "Outbound")


@dataclass(frozen=True, slots=True)
class Placement:
    """One copy of an accepted message: which mailbox and folder, and what the service added.

    ``prepend_headers`` are the header fields the service puts on top of the
    body for this copy (Received, Authentication-Results, SCL …): kept apart
    from the body so one body serves every copy.
    """

    mailbox: str
    folder: Folder
    prepend_headers: tuple[tuple[str, str], ...] = ()
    scl: int | None = None
    recipients: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.folder not in FOLDERS:
            raise ValueError(f"folder must be one of {', '.join(FOLDERS)}, not {self.folder!r}")


@dataclass(frozen=True, slots=True)
class Delivery:
    """One accepted message and where its copies go: the unit that commits (or fails) alone.

    ``envelope_from`` and ``message_id`` are client text: they may hold raw
    bytes that are not UTF-8 (as lone surrogates, Python's surrogateescape),
    and the store keeps them exactly.
    """

    session_id: int | None
    envelope_from: str
    raw: bytes
    placements: tuple[Placement, ...]
    message_id: str
    received_at: datetime

    def __post_init__(self) -> None:
        if not self.placements:
            raise ValueError("a delivery needs at least one placement")


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """One placed copy as read back from the store."""

    id: int
    message_id: str
    mailbox: str
    folder: Folder
    envelope_from: str
    envelope_to: tuple[str, ...]
    size: int
    scl: int | None
    headers_added: tuple[tuple[str, str], ...]
    body: bytes
    session_id: int | None
    received_at: datetime

    @property
    def raw(self) -> bytes:
        """The message as the mailbox holds it: the added header fields, then the body."""
        if not self.headers_added:
            return self.body
        head = "".join(f"{name}: {value}\r\n" for name, value in self.headers_added)
        return head.encode("utf-8", "surrogateescape") + self.body


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    """One line of a session: ``t`` seconds since the session began, ``dir`` C (client) or S."""

    t: float
    dir: Literal["C", "S"]
    line: str


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """What one connection did, start to end. ``notes`` say which rule decided what."""

    id: int
    endpoint: str
    port: int
    client: str
    public_ip: str
    site: str | None
    started_at: datetime
    ended_at: datetime | None = None
    tls_version: str | None = None
    cipher: str | None = None
    identity: str | None = None
    auth_method: str | None = None
    transcript: tuple[TranscriptLine, ...] = ()
    notes: tuple[str, ...] = ()
    outcome: str = ""
    extra: dict[str, str] = field(default_factory=dict)
