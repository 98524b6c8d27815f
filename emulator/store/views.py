"""JSON shapes of stored messages and sessions, shared by `exolab messages/sessions` and the API.

The field names are a contract (users' scripts read them): extend, never rename.

The store keeps a client's bytes exactly, so a string read back may hold
bytes that are not UTF-8 (lone surrogates, Python's surrogateescape). Such a
string cannot be written as UTF-8 and is not portable JSON (RFC 8259 section
8.2), so every string of these shapes goes through ``shown``: each raw byte
becomes the four characters ``\\xNN``, the way Python writes bytes. The
output is always valid UTF-8 JSON; the exact bytes stay in the store (and in
the raw message the API serves). A client that typed a backslash, an x and
two hex digits looks the same: readable beats reversible in a listing.
"""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any, TypeVar

from exolab.emulator.store.model import SessionRecord, StoredMessage

T = TypeVar("T")


def shown(text: str) -> str:
    """``text`` with every raw byte that is not UTF-8 written as ``\\xNN``: always valid UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a lone surrogate that stands for no byte
            return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _shown_all(value: T) -> T:
    """``shown`` applied to every string inside a JSON shape (keys included)."""
    if isinstance(value, str):
        return shown(value)  # type: ignore[return-value]
    if isinstance(value, list):
        return [_shown_all(v) for v in value]  # type: ignore[return-value]
    if isinstance(value, dict):
        return {_shown_all(k): _shown_all(v) for k, v in value.items()}  # type: ignore[return-value]
    return value


def subject_of(message: StoredMessage) -> str:
    """The Subject header of a stored message as sent ('' when it has none)."""
    head = message.body.split(b"\r\n\r\n", 1)[0][:65536]
    parsed = BytesHeaderParser(policy=compat32).parsebytes(head)
    # The raw value keeps 8-bit bytes as surrogates: a raw UTF-8 Subject
    # (SMTPUTF8 devices) is shown as the device wrote it, not as U+FFFD.
    for name, value in parsed.raw_items():
        if name.lower() == "subject":
            raw = value.encode("ascii", "surrogateescape").decode("utf-8", "replace")
            return raw.replace("\r\n", "").replace("\n", "")
    return ""


def message_json(m: StoredMessage) -> dict[str, Any]:
    return _shown_all(
        {
            "id": m.id,
            "message_id": m.message_id,
            "mailbox": m.mailbox,
            "folder": m.folder,
            "scl": m.scl,
            "envelope_from": m.envelope_from,
            "envelope_to": list(m.envelope_to),
            "subject": subject_of(m),
            "size": m.size,
            "headers": [[n, v] for n, v in m.headers_added],
            "session_id": m.session_id,
            "received_at": m.received_at.isoformat(),
        }
    )


def session_json(s: SessionRecord, capture: dict[str, Any] | None = None) -> dict[str, Any]:
    """``capture``: the session's pcap and key log when the lab recorded it, else null."""
    return _shown_all(
        {
            "id": s.id,
            "endpoint": s.endpoint,
            "port": s.port,
            "client": s.client,
            "public_ip": s.public_ip,
            "site": s.site,
            "tls_version": s.tls_version,
            "cipher": s.cipher,
            "identity": s.identity,
            "auth_method": s.auth_method,
            "outcome": s.outcome,
            "started_at": s.started_at.isoformat(),
            "ended_at": s.ended_at.isoformat() if s.ended_at else None,
            "notes": list(s.notes),
            "transcript": [{"t": x.t, "dir": x.dir, "line": x.line} for x in s.transcript],
            "extra": dict(s.extra),
            "capture": capture,
        }
    )
