"""Quirk #2: the firmware tries STARTTLS although its TLS setting is off.

Older HP printers speak TLS 1.0/1.1 only and still start TLS when the
administrator (or the relay) turned TLS off, so switching TLS off does not get
them past a server that refuses their TLS version. Source:
https://github.com/JustinIven/smtp-oauth-relay/issues/70
"""

from __future__ import annotations

from exolab.devices.quirks import register
from exolab.devices.quirks.base import Quirk, SecurityMode


@register
class StarttlsWhenOff(Quirk):
    name = "starttls-when-off"
    summary = "A 'none' security setting still sends STARTTLS whenever the server offers it."

    def security_mode(self, mode: SecurityMode) -> SecurityMode:
        return "opportunistic_starttls" if mode == "none" else mode
