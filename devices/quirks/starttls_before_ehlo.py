"""Quirk #13: STARTTLS is the first command, before any EHLO or HELO.

RFC 3207 puts STARTTLS after EHLO; Exchange Online answers one sent first with
``503 5.5.2 Send hello first`` and the firmware, which has no plaintext session
to carry on in, reports the refusal. Source:
https://github.com/FiloSottile/Heartbleed/issues/62
"""

from __future__ import annotations

from exolab.devices.quirks import register
from exolab.devices.quirks.base import Quirk


@register
class StarttlsBeforeEhlo(Quirk):
    name = "starttls-before-ehlo"
    summary = "Send STARTTLS right after the banner, before EHLO/HELO."

    def starttls_before_greeting(self, proposed: bool) -> bool:
        return True
