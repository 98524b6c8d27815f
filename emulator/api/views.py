"""JSON shapes of stored messages and sessions, shared by the API and the CLI.

The field names are a contract (scripts read them): extend, never rename.
"""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from typing import Any

from emulator.store import SessionRecord, StoredMessage


def subject_of(message: StoredMessage) -> str:
    """The decoded Subject of a stored message ('' when it has none)."""
    headers = BytesHeaderParser(policy=default_policy).parsebytes(message.body)
    return str(headers.get("Subject", ""))


def message_json(message: StoredMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "message_id": message.message_id,
        "mailbox": message.mailbox,
        "folder": message.folder,
        "scl": message.scl,
        "envelope_from": message.envelope_from,
        "envelope_to": list(message.envelope_to),
        "subject": subject_of(message),
        "size": message.size,
        "headers": [{"name": name, "value": value} for name, value in message.headers_added],
        "session_id": message.session_id,
        "received_at": message.received_at.isoformat(),
    }


def session_json(record: SessionRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "endpoint": record.endpoint,
        "port": record.port,
        "client": record.client,
        "public_ip": record.public_ip,
        "site": record.site,
        "started_at": record.started_at.isoformat(),
        "ended_at": record.ended_at.isoformat() if record.ended_at else None,
        "tls_version": record.tls_version,
        "cipher": record.cipher,
        "identity": record.identity,
        "auth_method": record.auth_method,
        "outcome": record.outcome,
        "notes": list(record.notes),
        "transcript": [
            {"t": line.t, "dir": line.dir, "line": line.line} for line in record.transcript
        ],
        "extra": dict(record.extra),
    }
