"""ExchangeSMTP sets up everything aiosmtpd's own constructor would (it skips only the introspection)."""

from __future__ import annotations

import asyncio

from aiosmtpd.smtp import SMTP

from exolab.emulator.server import Lab
from exolab.emulator.smtp.base import ExchangeSMTP


async def test_every_attribute_of_aiosmtpd_is_set(lab: Lab) -> None:
    reference = SMTP(object(), hostname="x", loop=asyncio.get_running_loop())
    frontend = lab.services[0].frontends[0]  # type: ignore[attr-defined]
    ours = ExchangeSMTP(frontend)
    missing = set(vars(reference)) - set(vars(ours))
    assert missing == set()
    assert set(ours._smtp_methods) >= {
        "HELO",
        "EHLO",
        "STARTTLS",
        "AUTH",
        "MAIL",
        "RCPT",
        "DATA",
        "BDAT",
        "RSET",
        "NOOP",
        "QUIT",
        "VRFY",
        "EXPN",
        "HELP",
    }
    for verb, method in ours._smtp_methods.items():
        assert method.__func__ is getattr(ExchangeSMTP, f"smtp_{verb}"), verb
    assert ours.hostname == "smtp.office365.com"
