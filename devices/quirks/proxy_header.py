"""Quirk #14: a proxy in front of the device puts a PROXY protocol header before EHLO.

A container proxy between a printer and Exchange Online added a PROXY protocol
version 2 header; the server log shows ``QUIT\\n``, twelve binary address bytes
and the printer's ``EHLO`` arriving as one line, answered after a pause with
``500 5.3.3 Unrecognized command 'unknown'``. The default prefix is the binary
part of that header as the log shows it: ``!`` (version 2, PROXY), ``\\x11``
(TCP over IPv4), the length 12 and the addresses. The header's 12-byte
signature, which ends in ``QUIT\\n``, is left out: Exchange ends a command at
CRLF only, but the lab's SMTP server (like aiosmtpd) also ends one at a bare LF
and would take ``QUIT`` as a command. Source:
https://github.com/simonrob/email-oauth2-proxy/issues/234
"""

from __future__ import annotations

from exolab.devices.quirks import register
from exolab.devices.quirks.base import Quirk, QuirkParams

# 172.18.0.1:54384 -> 172.18.0.8:25, the addresses in the source's log
LOGGED_PREFIX = "!\x11\x00\x0c\xac\x12\x00\x01\xac\x12\x00\x08\xd4p\x00\x19"


class ProxyHeaderParams(QuirkParams):
    prefix: str = LOGGED_PREFIX
    """The bytes (as latin-1 text) that reach the server in front of the first EHLO."""


@register
class ProxyHeader(Quirk):
    name = "proxy-header"
    summary = "A proxy's PROXY protocol header reaches the server glued to the first EHLO."
    Params = ProxyHeaderParams

    def greeting_prefix(self, prefix: bytes) -> bytes:
        assert isinstance(self.params, ProxyHeaderParams)
        return prefix + self.params.prefix.encode("latin-1")
