"""Header fields the submission service adds to the copies it delivers."""

from __future__ import annotations

from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses

from emulator.replies import rfc1123
from emulator.smtp.session import SessionState

_TLS_NAMES = {"TLSv1": "TLS1_0", "TLSv1.1": "TLS1_1", "TLSv1.2": "TLS1_2", "TLSv1.3": "TLS1_3"}
HEAD_LIMIT = 256 * 1024


def head_of(body: bytes) -> tuple[tuple[str, ...], str | None]:
    """The From addresses and the Message-ID of a message, reading only its header."""
    end = body.find(b"\r\n\r\n", 0, HEAD_LIMIT)
    head = body[: end + 2] if end >= 0 else body[:HEAD_LIMIT]
    message = BytesHeaderParser(policy=compat32).parsebytes(head)
    froms = tuple(
        a.lower() for _, a in getaddresses([str(v) for v in message.get_all("From", [])]) if a
    )
    mid = message.get("Message-ID")
    return froms, (str(mid).strip().strip("<>").strip() or None) if mid else None


def received(state: SessionState, when: datetime) -> tuple[str, str]:
    """``Received:`` as Exchange Online's front end writes it for a submitted message."""
    tls = _TLS_NAMES.get(state.tls_version or "", "none")
    return (
        "Received",
        f"from {state.helo or 'unknown'} ([{state.public_ip}]) by {state.names.trailer_host} "
        f"with Microsoft SMTP Server (version={tls}, cipher={state.cipher or 'none'}) "
        f"id 15.20.8000.0 via Frontend Transport; {rfc1123(when)}",
    )
