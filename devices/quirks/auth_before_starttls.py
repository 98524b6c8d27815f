"""Quirk #9: AUTH is sent on the plaintext channel, before STARTTLS.

Exchange does not offer AUTH before TLS and answers ``504 5.7.4 Unrecognized
authentication type``. Sources: https://github.com/deanproxy/eMail/issues/44,
https://github.com/PHPMailer/PHPMailer/issues/1254
"""

from __future__ import annotations

from exolab.devices.quirks import register
from exolab.devices.quirks.base import Quirk


@register
class AuthBeforeStarttls(Quirk):
    name = "auth-before-starttls"
    summary = "Send AUTH right after the first EHLO, before STARTTLS, advertised or not."

    def auth_before_starttls(self, proposed: bool) -> bool:
        return True
