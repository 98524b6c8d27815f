"""The DATA payload: line-ending conversion, dot-stuffing and the terminator."""

from __future__ import annotations

import re

_DOT_CRLF = re.compile(rb"(?m)^\.")


def data_payload(message: bytes, eol: bytes) -> bytes:
    """The bytes sent after 354: dot-stuffed, newline-terminated, then ``.``."""
    body = message.replace(b"\r\n", b"\n")
    if eol != b"\n":
        body = body.replace(b"\n", eol)
    body = _DOT_CRLF.sub(b"..", body)
    if body and not body.endswith(eol):
        body += eol
    return body + b"." + eol
