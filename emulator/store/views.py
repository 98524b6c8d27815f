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

import json
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.policy import default as default_policy
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


def decoded_subject(raw: str) -> str:
    """A header value as a person reads it: RFC 2047 encoded words (ISO-2022-JP, UTF-8 ...) decoded.

    Text without encoded words (raw UTF-8 from SMTPUTF8 devices) is returned
    as written; an encoded word in an unknown charset stays as sent. One
    decoder for ``exolab messages``, the API, the console and the pytest plugin,
    so each shows a Japanese subject the same way.
    """
    if "=?" not in raw:
        return raw
    try:
        return str(make_header(decode_header(raw)))
    except (LookupError, UnicodeError, ValueError):
        return raw


MAX_PARTS = 200
"""Parts looked at for attachment names: a hostile message may nest thousands."""


def attachments_of(message: StoredMessage) -> list[dict[str, Any]]:
    """Each attachment's decoded file name (RFC 2231 or RFC 2047), content type and size."""
    try:
        parsed = message_from_bytes(message.body, policy=default_policy)
        out: list[dict[str, Any]] = []
        for index, part in enumerate(parsed.walk()):
            if index >= MAX_PARTS:
                break
            if not isinstance(part, EmailMessage) or part.is_multipart():
                continue
            name = part.get_filename()
            if name is None and part.get_content_disposition() != "attachment":
                continue
            payload = part.get_payload(decode=True)
            out.append(
                {
                    "index": index,
                    "filename": decoded_subject(str(name or "")),
                    "content_type": part.get_content_type(),
                    "size": len(payload) if isinstance(payload, bytes) else 0,
                }
            )
        return out
    except Exception:  # a message too broken to walk has no attachments we can name
        return []


def attachment_payload(message: StoredMessage, index: int) -> tuple[str, str, bytes] | None:
    """(file name, content type, decoded bytes) of the part ``index`` of ``attachments_of``."""
    try:
        parsed = message_from_bytes(message.body, policy=default_policy)
        for position, part in enumerate(parsed.walk()):
            if position > MAX_PARTS:
                return None
            if position == index and isinstance(part, EmailMessage) and not part.is_multipart():
                payload = part.get_payload(decode=True)
                name = decoded_subject(str(part.get_filename() or f"part-{index}"))
                data = payload if isinstance(payload, bytes) else b""
                return name, part.get_content_type(), data
    except Exception:  # a broken message: nothing to download
        return None
    return None


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
            "subject_decoded": decoded_subject(subject_of(m)),
            "attachments": attachments_of(m),
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
            "faults": faults_of(s),
        }
    )


def faults_of(s: SessionRecord) -> list[dict[str, Any]]:
    """The fault rules that fired in session ``s``, in order (kept as JSON in ``extra``)."""
    try:
        found = json.loads(s.extra.get("faults", "[]"))
    except ValueError:
        return []
    return [f for f in found if isinstance(f, dict)] if isinstance(found, list) else []
