"""The TLS layer of an SMTP session, with a read buffer sized for SMTP.

asyncio's ``SSLProtocol`` gives every connection a 256 KiB read buffer,
filled with zeros at once (resident memory, not just address space), and
asks OpenSSL for up to 256 KiB per read, a fresh allocation each time.
That suits a bulk download; an SMTP session mostly exchanges short
command lines, and a TLS record never carries more than 16 KiB of
plaintext, so a buffer of two records reads a body as fast while a lab
holding a thousand devices keeps 1,000 x 224 KiB less. Nothing else of
asyncio's TLS changes: handshake, flow control and shutdown are its own.
"""

from __future__ import annotations

import asyncio.sslproto as _sslproto

TLS_READ_BUFFER = 32 * 1024
"""Bytes read from the socket, and asked of OpenSSL, at a time: two full TLS records."""


class SMTPTLSProtocol(_sslproto.SSLProtocol):
    """asyncio's TLS protocol with a read buffer of ``TLS_READ_BUFFER`` bytes."""

    max_size = TLS_READ_BUFFER
