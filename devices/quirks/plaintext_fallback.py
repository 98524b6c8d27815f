"""Quirk #28: opportunistic STARTTLS that reconnects in plaintext after a failed handshake.

Canon's service manual describes STARTTLS as opportunistic (secondary source:
https://manualarchiveguide.com/manuals/Canon-DU7-1178-000-Service-Manual-2845610?page=56);
Microsoft's MX accepts mail without TLS when negotiation fails, so a legacy-TLS
device doing direct send reconnects and sends in plaintext
(https://techcommunity.microsoft.com/blog/exchange/understanding-email-scenarios-if-tls-versions-cannot-be-agreed-on-with-exchange-/2065089).
"""

from __future__ import annotations

from exolab.devices.quirks import register
from exolab.devices.quirks.base import Quirk


@register
class PlaintextFallback(Quirk):
    name = "plaintext-fallback"
    summary = "After a failed TLS handshake, reconnect once and send without STARTTLS."

    def fallback_to_plaintext(self, proposed: bool) -> bool:
        return True
