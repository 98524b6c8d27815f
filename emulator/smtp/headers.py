"""Header fields the submission service adds to the copies it delivers."""

from __future__ import annotations

from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses

from exolab.emulator.replies import rfc1123
from exolab.emulator.smtp.session import SessionState

_TLS_NAMES = {"TLSv1": "TLS1_0", "TLSv1.1": "TLS1_1", "TLSv1.2": "TLS1_2", "TLSv1.3": "TLS1_3"}
HEAD_LIMIT = 256 * 1024


def head_of(body: bytes) -> tuple[tuple[str, ...], str | None]:
    """The From addresses and the Message-ID of a message, reading only its header.

    A plain scan of the header block instead of the email package's full
    parser (this runs for every message); folded fields go to the parser.
    """
    end = body.find(b"\r\n\r\n", 0, HEAD_LIMIT)
    head = body[: end + 2] if end >= 0 else body[:HEAD_LIMIT]
    if b"\n " in head or b"\n\t" in head:
        message = BytesHeaderParser(policy=compat32).parsebytes(head)
        froms_raw = [str(v) for v in message.get_all("From", [])]
        mids = [str(v) for v in message.get_all("Message-ID", [])]
    else:
        froms_raw, mids = [], []
        for line in head.split(b"\r\n"):
            name, colon, value = line.partition(b":")
            if not colon:
                continue
            key = name.strip().lower()
            if key == b"from":
                froms_raw.append(value.decode("utf-8", "replace"))
            elif key == b"message-id":
                mids.append(value.decode("utf-8", "replace"))
    froms = tuple(a.lower() for _, a in getaddresses(froms_raw) if a)
    mid = mids[0].strip().strip("<>").strip() if mids else ""
    return froms, mid or None


def received(state: SessionState, when: datetime) -> tuple[str, str]:
    """``Received:`` as Exchange Online's front end writes it for a submitted message."""
    tls = _TLS_NAMES.get(state.tls_version or "", "none")
    return (
        "Received",
        f"from {state.helo or 'unknown'} ([{state.public_ip}]) by {state.names.trailer_host} "
        f"with Microsoft SMTP Server (version={tls}, cipher={state.cipher or 'none'}) "
        f"id 15.20.8000.0 via Frontend Transport; {rfc1123(when)}",
    )
