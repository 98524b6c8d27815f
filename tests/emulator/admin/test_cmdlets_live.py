"""Cmdlets applied to a running lab the way `exolab admin` applies them (the API's tenant/set),
then a device on real sockets: Full Access is not Send As; $null hands the mailbox back to
the organization's SMTP AUTH switch."""

from __future__ import annotations

import asyncio
import json
import smtplib
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from exolab.emulator.admin.shell import assignments
from exolab.emulator.api import ApiService
from exolab.emulator.lab import Service
from exolab.emulator.server import Lab
from exolab.emulator.smtp.submission import SubmissionService
from tests.emulator import labs

SCAN = b"From: bob@contoso.com\r\nTo: alice@contoso.com\r\nSubject: scan\r\n\r\npage\r\n"


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[Lab]:
    def services() -> list[Service]:
        return [SubmissionService(), ApiService()]

    async with labs.lab_factory(tmp_path, services) as start:
        yield await start()


async def admin(lab: Lab, cmdlet: str) -> None:
    """What `exolab admin CMDLET` does: map it against the live tenant, post the settings."""
    await post_settings(lab, assignments(cmdlet, lab.context.tenant))


async def post_settings(lab: Lab, items: list[str]) -> None:
    """What `exolab set KEY=VALUE …` does."""
    token = json.loads(lab.endpoints_path.read_text("utf-8"))["api_token"]
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{lab.context.endpoints.api}/api/tenant/set",
            json={"set": items},
            headers={"Authorization": f"Bearer {token}"},
        ) as r,
    ):
        assert r.status == 200, await r.text()


def send_as_bob(lab: Lab) -> tuple[int, bytes]:
    """scanner signs in and sends as bob: the MAIL FROM reply (or the AUTH refusal)."""
    with labs.submission_client(lab) as client:
        try:
            client.login("scanner@contoso.com", "Scan-2-Mail!")
        except smtplib.SMTPAuthenticationError as refused:
            error = refused.smtp_error
            return refused.smtp_code, error if isinstance(error, bytes) else error.encode()
        code, text = client.mail("bob@contoso.com")
        client.rset()
        return code, text


async def test_full_access_does_not_grant_send_as_but_send_as_does(lab: Lab) -> None:
    await admin(
        lab,
        "Add-MailboxPermission -Identity bob@contoso.com -User scanner@contoso.com "
        "-AccessRights FullAccess -InheritanceType All",
    )
    bob = next(m for m in lab.context.tenant.mailbox if m.primary_smtp_address == "bob@contoso.com")
    assert bob.full_access_trustees == ("scanner@contoso.com",)
    code, text = await asyncio.to_thread(send_as_bob, lab)
    assert (code, text[:6]) == (550, b"5.7.60")
    await admin(
        lab,
        "Add-RecipientPermission -Identity bob@contoso.com -Trustee scanner@contoso.com "
        "-AccessRights SendAs -Confirm:$false",
    )
    assert (await asyncio.to_thread(send_as_bob, lab))[0] == 250
    await admin(
        lab,
        "Remove-RecipientPermission -Identity bob@contoso.com -Trustee scanner@contoso.com "
        "-AccessRights SendAs -Confirm:$false",
    )
    code, text = await asyncio.to_thread(send_as_bob, lab)
    assert (code, text[:6]) == (550, b"5.7.60")


async def test_null_makes_the_mailbox_follow_the_organization_again(lab: Lab) -> None:
    # the demo tenant turns SMTP AUTH off for the organization and on for scanner
    assert (await asyncio.to_thread(send_as_bob, lab))[0] == 550  # signed in (then 5.7.60)
    await admin(
        lab, "Set-CASMailbox -Identity scanner@contoso.com -SmtpClientAuthenticationDisabled $null"
    )
    code, text = await asyncio.to_thread(send_as_bob, lab)
    assert code == 535 and b"disabled for the Tenant" in text
    await admin(lab, "Set-TransportConfig -SmtpClientAuthenticationDisabled $false")
    assert (await asyncio.to_thread(send_as_bob, lab))[0] == 550  # signs in again, as the org


def mail_from_scanner(lab: Lab) -> tuple[int, bytes]:
    """scanner signs in and sends as itself: the MAIL FROM reply."""
    with labs.submission_client(lab) as client:
        client.login("scanner@contoso.com", "Scan-2-Mail!")
        code, text = client.mail("scanner@contoso.com")
        client.rset()
        return code, text


async def test_remove_blocked_sender_address_lets_a_restricted_sender_send_again(lab: Lab) -> None:
    await post_settings(lab, ["Mailbox[scanner@contoso.com].RestrictedSender=true"])
    code, _ = await asyncio.to_thread(mail_from_scanner, lab)
    assert code >= 500
    await admin(lab, "Remove-BlockedSenderAddress -SenderAddress scanner@contoso.com")
    code, text = await asyncio.to_thread(mail_from_scanner, lab)
    assert code == 250, text
