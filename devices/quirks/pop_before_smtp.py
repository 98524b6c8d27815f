"""Quirk #34: the firmware authenticates with POP before SMTP, never with SMTP AUTH.

Older Brother devices (MFC-8660DN) offer "POP before SMTP" or "SMTP-AUTH" as
the sign-in method. With POP before SMTP the device logs in to a POP server and
then sends without AUTH, counting on the mail server to trust its address for a
while. Microsoft 365 does not link a POP sign-in to SMTP, so the SMTP session
is the same whether the POP step worked or not: anonymous, refused at MAIL
FROM on smtp.office365.com. The lab has no POP service, so the POP step itself
is not played; the credentials the administrator typed are never sent over SMTP.
Source (secondary):
https://freshmanuals.com/brother/mfc-8660dn/6b8bf7f4c78639462f9f4700e22e888a_page74
"""

from __future__ import annotations

from exolab.devices.quirks import register
from exolab.devices.quirks.base import Quirk


@register
class PopBeforeSmtp(Quirk):
    name = "pop-before-smtp"
    summary = "Sign in with POP before SMTP: the SMTP session never sends AUTH."

    def uses_smtp_auth(self, proposed: bool) -> bool:
        return False
