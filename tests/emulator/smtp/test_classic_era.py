"""The classic era over real sockets: an unauthenticated MAIL FROM gets the 2020 wording."""

from __future__ import annotations

import asyncio
import smtplib

from exolab.emulator.server import Lab
from tests.emulator.labs import LabFactory
from tests.emulator.smtp.conftest import client_context


def anonymous_mail(lab: Lab) -> tuple[int, bytes]:
    address, port = lab.endpoint("smtp.office365.com", 587)
    with smtplib.SMTP(address, port, source_address=("127.20.0.10", 0), timeout=20) as c:
        c._host = "smtp.office365.com"  # type: ignore[attr-defined]  # SNI, as a device sends
        c.starttls(context=client_context(lab))
        c.ehlo("mfp-01")
        return c.mail("scanner@contoso.com")


async def test_classic_era_answers_anonymous_mail_in_the_2020_wording(
    lab_factory: LabFactory,
) -> None:
    classic = await lab_factory("Lab.ReplyTrailer=classic")
    code, text = await asyncio.to_thread(anonymous_mail, classic)
    assert code == 530
    assert text.startswith(
        b"5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM ["
    )
    assert text.endswith(b".prod.outlook.com]")  # the classic trailer: the host only
    modern = await lab_factory()
    code, text = await asyncio.to_thread(anonymous_mail, modern)
    assert (code, text.split(b" [")[0]) == (530, b"5.7.57 Client not authenticated to send mail.")
