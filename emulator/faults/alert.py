"""A fatal TLS alert record, as a server sends it instead of its ServerHello (pure).

The lab completes nothing of the handshake: it reads the client's first
record (the ClientHello), answers with one alert record and closes, which
is what a client sees from a TLS front end that refuses it. The record
carries the version the ClientHello asked for (at most TLS 1.2's 3,3, the
version every TLS 1.3 record says on the wire), so an old client reads it
as its own. Codes: RFC 8446 section 6 and RFC 5246 section 7.2.
"""

from __future__ import annotations

ALERT_CODES: dict[str, int] = {
    "handshake_failure": 40,
    "internal_error": 80,
    "protocol_version": 70,
    "insufficient_security": 71,
    "access_denied": 49,
    "unrecognized_name": 112,
}
"""Each alert a ``tls_alert`` fault can name, with its AlertDescription code."""

RECORD_HEADER = 5
"""Content type, version (2 bytes), length (2 bytes)."""

MAX_RECORD = 16384 + 2048
"""The longest TLS record a peer may send (RFC 5246 section 6.2.3): more is not a ClientHello."""

_HANDSHAKE = 0x16
_ALERT = 0x15
_FATAL = 2


def hello_length(header: bytes) -> int | None:
    """The body length of a handshake record's ``header``; None when it is not a sane one."""
    if len(header) != RECORD_HEADER or header[0] != _HANDSHAKE or header[1] != 3:
        return None
    length = int.from_bytes(header[3:5], "big")
    return length if 0 < length <= MAX_RECORD else None


def alert_record(name: str, hello: bytes = b"") -> bytes:
    """The fatal alert ``name`` as one record, in the version ``hello`` (a ClientHello) asked."""
    version = b"\x03\x03"
    # ClientHello body: msg type (1), length (3), then legacy_version (2)
    if len(hello) >= 6 and hello[4] == 3 and hello[5] <= 3:
        version = hello[4:6]
    return bytes([_ALERT]) + version + b"\x00\x02" + bytes([_FATAL, ALERT_CODES[name]])
