"""SPF (pyspf) and the DMARC record lookup against a running lab DNS, over the wire."""

from __future__ import annotations

import asyncio
from pathlib import Path

import spf

from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.dns import LabDns
from exolab.emulator.dns.senderauth import check_sender, install, spf_check
from exolab.emulator.lab import LabContext, PortPlan
from exolab.emulator.tenant import apply_overrides, parse_tenant
from exolab.emulator.tenant.loader import default_document
from exolab.emulator.tls import LabCA

Server = tuple[str, int]


async def test_office_passes_branch_fails(dns_server: Server) -> None:
    office = await check_sender(
        dns_server, "203.0.113.39", "scanner@contoso.com", "mfd", "contoso.com"
    )
    assert office.spf.result == "pass" and office.spf.domain == "contoso.com"
    assert office.dmarc_record is not None and office.dmarc_record.startswith("v=DMARC1")
    branch = await check_sender(
        dns_server, "198.51.100.20", "scanner@contoso.com", "mfd", "contoso.com"
    )
    assert branch.spf.result == "fail"


async def test_include_spf_protection_outlook_com(dns_server: Server) -> None:
    eop = await check_sender(dns_server, "40.93.1.2", "scanner@contoso.com", "mfd", None)
    assert eop.spf.result == "pass"
    assert eop.dmarc_record is None


async def test_other_domains_and_null_sender(dns_server: Server) -> None:
    fab = await check_sender(
        dns_server, "198.51.100.200", "partner@fabrikam.com", "x", "fabrikam.com"
    )
    assert fab.spf.result == "pass" and fab.dmarc_record is None
    unknown = await check_sender(
        dns_server, "203.0.113.39", "a@nowhere.example", "x", "nowhere.example"
    )
    assert unknown.spf.result == "none"
    null = await check_sender(dns_server, "203.0.113.39", "", "contoso.com", None)
    assert null.spf.domain == "contoso.com" and null.spf.result == "pass"


async def test_a_dns_edit_is_seen_by_the_next_check(lab: LabContext, dns_server: Server) -> None:
    before = await check_sender(
        dns_server, "198.51.100.20", "scanner@contoso.com", "mfd", "contoso.com"
    )
    assert before.spf.result == "fail"
    document = default_document()
    record = "v=spf1 ip4:203.0.113.39 ip4:198.51.100.20 include:spf.protection.outlook.com ~all"
    apply_overrides(document, [("Dns.TXT[contoso.com]", record)])
    lab.tenant = parse_tenant(document, "test")
    after = await check_sender(
        dns_server, "198.51.100.20", "scanner@contoso.com", "mfd", "contoso.com"
    )
    assert after.spf.result == "pass"
    soft = await check_sender(
        dns_server, "198.51.100.99", "scanner@contoso.com", "mfd", "contoso.com"
    )
    assert soft.spf.result == "softfail"


async def test_a_co_jp_subdomain_finds_its_organizations_dmarc_record(
    lab: LabContext, dns_server: Server
) -> None:
    """RFC 7489 6.6.3 falls back to ``_dmarc.contoso.co.jp``, the PSL's organizational domain."""
    document = default_document()
    apply_overrides(
        document,
        [
            ("Dns.TXT[_dmarc.contoso.co.jp]", "v=DMARC1; p=quarantine"),
            ("Dns.TXT[_dmarc.co.jp]", "v=DMARC1; p=reject; rua=mailto:wrong@co.jp"),
        ],
    )
    lab.tenant = parse_tenant(document, "test")
    facts = await check_sender(
        dns_server, "203.0.113.39", "scan@tokyo.contoso.co.jp", "mfd", "tokyo.contoso.co.jp"
    )
    assert facts.dmarc_record == "v=DMARC1; p=quarantine"


async def test_two_labs_in_one_process_each_ask_their_own_dns(tmp_path: Path) -> None:
    labs: list[LabContext] = []
    services: list[LabDns] = []
    for index, record in enumerate(("v=spf1 ip4:10.0.0.1 -all", "v=spf1 ip4:10.0.0.2 -all")):
        document = default_document()
        apply_overrides(
            document,
            [("Dns.TXT[contoso.com]", record), ("Lab.AddressRange", f"127.10.{index + 1}.0/24")],
        )
        lab = LabContext(
            tenant=parse_tenant(document, "test"),
            clock=FixedClock(utc(2025, 6, 2)),
            data_dir=tmp_path / str(index),
            ca=LabCA(tmp_path / f"ca{index}"),
            ports=PortPlan(ephemeral=True),
            store=None,
        )
        service = LabDns()
        await service.start(lab)
        labs.append(lab)
        services.append(service)
    try:
        checks = [
            check_sender(lab.dns_server, ip, "scanner@contoso.com", "mfd", None)
            for _ in range(10)
            for lab in labs
            for ip in ("10.0.0.1", "10.0.0.2")
        ]
        results = await asyncio.gather(*checks)
        got = [r.spf.result for r in results]
        assert got == ["pass", "fail", "fail", "pass"] * 10
    finally:
        for service in services:
            await service.stop()


def test_outside_a_check_pyspf_never_uses_host_dns() -> None:
    install()
    assert spf_check("203.0.113.39", "scanner@contoso.com", "mfd").result == "temperror"
    assert spf.DNSLookup.__module__ == "exolab.emulator.dns.senderauth"


async def test_a_dead_dns_server_is_a_temperror() -> None:
    facts = await check_sender(
        ("127.10.9.53", 9), "203.0.113.39", "a@contoso.com", "x", "contoso.com", 0.2
    )
    assert facts.spf.result == "temperror" and facts.dmarc_error
