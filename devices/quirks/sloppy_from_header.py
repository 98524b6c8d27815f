"""A From header that is not RFC 5322 3.6.2 compliant: left out, or a bare name.

Firmware that fills From from a "device name" field, or leaves it out when the
field is empty, sends ``From: Scanner`` or no From at all. Exchange Online
refuses such a message at end of data with ``550 5.7.512 Access denied, message
must be RFC 5322 section 3.6.2 compliant``.
Sources: https://learn.microsoft.com/en-us/troubleshoot/exchange/email-delivery/ndr/non-delivery-reports-in-exchange-online ;
https://learn.microsoft.com/en-us/exchange/troubleshoot/send-emails/smtp-submission-improvements
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from exolab.devices.quirks import register
from exolab.devices.quirks.base import Quirk, QuirkParams


class SloppyFromParams(QuirkParams):
    style: Literal["missing", "name-only"] = "missing"
    name: str = Field(default="Scanner", min_length=1, max_length=64, pattern=r"^[^@\r\n]+$")


@register
class SloppyFromHeader(Quirk):
    name = "sloppy-from-header"
    summary = "Leave the From header out (style=missing) or put only a name in it (name-only)."
    Params = SloppyFromParams

    def header_from(self, sender: str) -> str:
        """An empty string tells the message builder to write no From field at all."""
        assert isinstance(self.params, SloppyFromParams)
        return "" if self.params.style == "missing" else self.params.name
