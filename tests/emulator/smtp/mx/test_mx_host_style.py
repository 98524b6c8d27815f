"""Tenant.MxHostStyle = "mx.microsoft": the tenant's MX lives in the new namespace, in the lab
DNS, in endpoints.json and on the certificate a verifying device checks."""

from __future__ import annotations

import asyncio
import json
import smtplib

import dns.asyncresolver

from exolab.emulator.tenant import load_default_tenant, parse_assignment
from tests.emulator.labs import LabFactory
from tests.emulator.smtp.conftest import client_context

NEW_MX = "contoso-com.a-v1.mx.microsoft"
MESSAGE = b"From: scanner@contoso.com\r\nTo: alice@contoso.com\r\nSubject: MX\r\n\r\nscan\r\n"


def test_the_default_is_the_protection_namespace() -> None:
    tenant = load_default_tenant()
    assert tenant.tenant.mx_endpoint == "contoso-com.mail.protection.outlook.com"
    zoned = load_default_tenant(
        [
            parse_assignment("Tenant.MxHostStyle=mx.microsoft"),
            parse_assignment("Tenant.MxZone=q-v1"),
        ]
    )
    assert zoned.tenant.mx_endpoint == "contoso-com.q-v1.mx.microsoft"


async def test_the_mx_microsoft_host_is_resolved_listed_and_served(
    lab_factory: LabFactory,
) -> None:
    lab = await lab_factory("Tenant.MxHostStyle=mx.microsoft")
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [lab.context.dns_server[0]]
    resolver.port = lab.context.dns_server[1]
    mx = await resolver.resolve("contoso.com", "MX")
    assert [r.exchange.to_text() for r in mx] == [f"{NEW_MX}."]
    a = await resolver.resolve(NEW_MX, "A")
    address, port = lab.endpoint(NEW_MX, 25)
    assert [r.to_text() for r in a] == [address]
    document = json.loads(lab.endpoints_path.read_text())
    assert NEW_MX in document["endpoints"]
    assert document["mx"] == {"host": NEW_MX, "style": "mx.microsoft", "dnssec": False}

    def send() -> dict[str, tuple[int, bytes]]:
        with smtplib.SMTP(address, port, source_address=("127.20.0.10", 0), timeout=20) as c:
            c._host = NEW_MX  # type: ignore[attr-defined]  # SNI and the name checked
            c.ehlo("mfp-01.contoso.local")
            c.starttls(context=client_context(lab))  # verifies the name
            return c.sendmail("scanner@contoso.com", ["alice@contoso.com"], MESSAGE)

    assert await asyncio.to_thread(send) == {}
    assert lab.store.messages(mailbox="alice@contoso.com")
