"""Quirk #3/#10: the firmware's "SSL/TLS" setting means implicit TLS on any port.

An HP MFP sends a TLS ClientHello straight away on port 25
(https://github.com/postalserver/postal/issues/2005); devices whose "SSL"
means implicit TLS hit 587 the same way
(https://github.com/mattermost/mattermost/issues/954).
"""

from __future__ import annotations

from exolab.devices.quirks import register
from exolab.devices.quirks.base import Quirk, SecurityMode


@register
class TlsMeansImplicit(Quirk):
    name = "tls-means-implicit"
    summary = "A 'starttls' setting is carried out as implicit TLS (ClientHello before the banner)."

    def security_mode(self, mode: SecurityMode) -> SecurityMode:
        return "implicit" if mode in ("starttls", "opportunistic_starttls") else mode
