"""The DATA payload: line-ending conversion, dot-stuffing and the terminator.

Bytes operations only, no pattern matching: a scan is megabytes and every
send converts it. A message already in CRLF throughout (what ``build_message``
makes) is left as it is for a CRLF device.
"""

from __future__ import annotations


def data_payload(message: bytes, eol: bytes) -> bytes:
    """The bytes sent after 354: dot-stuffed, newline-terminated, then ``.``."""
    body = message
    if eol != b"\r\n" or message.count(b"\n") != message.count(b"\r\n"):
        body = message.replace(b"\r\n", b"\n")
        if eol != b"\n":
            body = body.replace(b"\n", eol)
    # a line that starts with "." gets one more: the first line, and each after a "\n"
    body = body.replace(b"\n.", b"\n..")
    lead = b"." if body.startswith(b".") else b""
    tail = eol if body and not body.endswith(eol) else b""
    return b"".join((lead, body, tail, b".", eol))
