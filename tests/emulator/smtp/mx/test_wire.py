"""The MX over real sockets: swaks from the demo tenant's sites, smtplib, TLS, the stored copies."""

from __future__ import annotations

import asyncio
import json
import smtplib
import ssl
import warnings
from pathlib import Path

import pytest

from exolab.cli import main as exolab
from exolab.emulator.server import Lab
from exolab.emulator.tenant import apply_overrides, parse_tenant
from exolab.emulator.tenant.loader import default_document
from tests.emulator.labs import LabFactory, sessions_recorded
from tests.emulator.smtp.mx.conftest import MX, swaks
from tests.emulator.smtp.wire import MATCHER

pytestmark = pytest.mark.external
OFFICE, BRANCH, BLOCKED, HOME, UNKNOWN = (
    "127.20.0.10",
    "127.20.0.20",
    "127.20.0.66",
    "127.20.0.30",
    "127.20.0.99",
)


def catalog_only(lines: list[str]) -> None:
    assert lines, "no server lines"
    assert all(MATCHER.which(line) for line in lines), [x for x in lines if not MATCHER.which(x)]


def headers_of(lab: Lab, mailbox: str) -> dict[str, str]:
    (message,) = lab.store.messages(mailbox=mailbox)
    return dict(message.headers_added)


async def test_office_site_lands_in_the_inbox_with_spf_pass(lab: Lab) -> None:
    code, lines = await swaks(lab, OFFICE)
    assert code == 0, lines
    catalog_only(lines)
    assert (
        lines[0].startswith("220 ") and ".mail.protection.outlook.com Microsoft ESMTP" in lines[0]
    )
    assert "250-STARTTLS" in lines and not any("AUTH" in x for x in lines)
    assert any(
        x.startswith("250 2.6.0 <") and x.endswith("Queued mail for delivery") for x in lines
    )
    (message,) = lab.store.messages()
    assert (message.mailbox, message.folder, message.scl) == ("alice@contoso.com", "Inbox", 1)
    headers = dict(message.headers_added)
    assert headers["Authentication-Results"].startswith(
        "spf=pass (sender IP is 203.0.113.39) smtp.mailfrom=contoso.com;"
    )
    assert (
        "dmarc=pass action=none header.from=contoso.com;compauth=pass reason=100"
        in (headers["Authentication-Results"])
    )
    assert headers["X-MS-Exchange-Organization-SCL"] == "1"
    assert headers["X-MS-Exchange-Organization-AuthAs"] == "Anonymous"
    assert headers["X-Forefront-Antispam-Report"].startswith("CIP:203.0.113.39;")
    assert "SFV:NSPM;" in headers["X-Forefront-Antispam-Report"]
    assert headers["Received"].startswith("from mfp-01.contoso.local (203.0.113.39) by ")
    assert message.raw.startswith(b"Authentication-Results: spf=pass")


async def test_branch_site_lands_in_junk_with_spf_fail(lab: Lab) -> None:
    code, lines = await swaks(lab, BRANCH)
    assert code == 0, lines
    catalog_only(lines)
    (message,) = lab.store.messages()
    assert (message.folder, message.scl) == ("Junk Email", 6)
    headers = dict(message.headers_added)
    assert "spf=fail (sender IP is 198.51.100.20)" in headers["Authentication-Results"]
    assert headers["Authentication-Results"].endswith("compauth=fail reason=601")
    assert "SFV:SPM;" in headers["X-Forefront-Antispam-Report"]


async def test_blocklisted_site_is_refused_at_rcpt(lab: Lab) -> None:
    code, lines = await swaks(lab, BLOCKED)
    assert code != 0
    catalog_only(lines)
    assert any(
        x.startswith("550 5.7.606 Access denied, banned sending IP [192.0.2.66].") for x in lines
    )
    assert lab.store.messages() == []


async def test_outside_recipient_is_relay_access_denied(lab: Lab) -> None:
    code, lines = await swaks(lab, OFFICE, to="partner@fabrikam.com")
    assert code != 0
    catalog_only(lines)
    assert any(x.startswith("550 5.7.64 TenantAttribution; Relay Access Denied") for x in lines)


async def test_unknown_recipient_with_dbeb(lab: Lab) -> None:
    code, lines = await swaks(lab, OFFICE, to="nobody@contoso.com")
    assert code != 0
    assert any(x.startswith("550 5.4.1 Recipient address rejected") for x in lines)


async def test_reject_direct_send(lab_factory: LabFactory) -> None:
    lab = await lab_factory("OrganizationConfig.RejectDirectSend=true")
    code, lines = await swaks(lab, OFFICE)
    assert code != 0
    catalog_only(lines)
    assert any(x.startswith("550 5.7.68 TenantInboundAttribution;") for x in lines)
    # a sender outside the accepted domains is ordinary inbound mail, still accepted
    code, lines = await swaks(lab, OFFICE, sender="partner@fabrikam.com")
    assert code == 0, lines
    (message,) = lab.store.messages()
    assert "smtp.mailfrom=fabrikam.com" in dict(message.headers_added)["Authentication-Results"]


async def test_connector_for_the_branch_ip_relays_to_fabrikam(lab_factory: LabFactory) -> None:
    lab = await lab_factory('InboundConnector[Branch].SenderIPAddresses=["198.51.100.20"]')
    code, lines = await swaks(lab, BRANCH, to="partner@fabrikam.com")
    assert code == 0, lines
    catalog_only(lines)
    (message,) = lab.store.messages()
    assert (message.mailbox, message.folder) == ("partner@fabrikam.com", "Outbound")
    (session,) = await sessions_recorded(lab)
    assert any("inbound connector 'Branch'" in n for n in session.notes)
    code, lines = await swaks(lab, OFFICE, to="partner@fabrikam.com")
    assert any(x.startswith("550 5.7.64") for x in lines)


async def test_a_dns_edit_is_visible_to_the_next_message(lab: Lab) -> None:
    await swaks(lab, BRANCH)
    document = default_document()
    record = "v=spf1 ip4:203.0.113.39 ip4:198.51.100.20 include:spf.protection.outlook.com ~all"
    apply_overrides(document, [("Dns.TXT[contoso.com]", record), ("Lab.UnknownCommandDelay", 0)])
    lab.context.tenant = parse_tenant(document, "test")
    await swaks(lab, BRANCH)
    first, second = lab.store.messages()
    assert (first.folder, second.folder) == ("Junk Email", "Inbox")
    assert (
        "spf=pass (sender IP is 198.51.100.20)"
        in dict(second.headers_added)["Authentication-Results"]
    )


async def test_repeat_messages_reuse_the_answer_until_an_edit(lab: Lab) -> None:
    await swaks(lab, BRANCH)
    await swaks(lab, BRANCH)
    frontend = lab.services[1].frontend  # type: ignore[attr-defined]
    assert len(frontend.sender_auth_memo) == 1  # one site, one sender: asked once
    first, second = (dict(m.headers_added) for m in lab.store.messages())
    assert first["Authentication-Results"] == second["Authentication-Results"]
    assert "spf=fail" in second["Authentication-Results"]
    document = default_document()
    record = "v=spf1 ip4:203.0.113.39 ip4:198.51.100.20 include:spf.protection.outlook.com ~all"
    apply_overrides(document, [("Dns.TXT[contoso.com]", record), ("Lab.UnknownCommandDelay", 0)])
    lab.context.tenant = parse_tenant(document, "test")
    await swaks(lab, BRANCH)
    third = lab.store.messages()[-1]
    assert third.folder == "Inbox"
    assert "spf=pass" in dict(third.headers_added)["Authentication-Results"]


async def test_dynamic_and_unknown_sites_in_the_session_log(lab: Lab) -> None:
    await swaks(lab, HOME)
    await swaks(lab, UNKNOWN)
    home, unknown = await sessions_recorded(lab, 2)
    assert home.site == "home" and home.public_ip == "198.51.100.77"
    assert any("is dynamic" in note for note in home.notes)
    assert unknown.site is None and unknown.public_ip == "198.51.100.250"
    assert any(note.startswith("verdict: spf=") for note in unknown.notes)


def _smtp(lab: Lab, source: str) -> smtplib.SMTP:
    address, port = lab.endpoint(MX, 25)
    return smtplib.SMTP(address, port, source_address=(source, 0), timeout=20)


def _client_context(lab: Lab, version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(lab.context.ca.pem_path))
    context.check_hostname = False  # smtplib checks against the address; the chain is verified
    if version is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = context.maximum_version = version
        if version < ssl.TLSVersion.TLSv1_2:
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


def _smtplib_session(lab: Lab) -> list[object]:
    seen: list[object] = []
    with _smtp(lab, OFFICE) as client:
        client.ehlo("mfp-02")
        seen.append(client.docmd("AUTH", "LOGIN"))
        client.starttls(context=_client_context(lab, ssl.TLSVersion.TLSv1_2))
        client.ehlo("mfp-02")
        seen.append("starttls" in client.esmtp_features)
        refused = client.sendmail(
            "scanner@contoso.com",
            ["alice@contoso.com", "bob@contoso.com"],
            b"From: scanner@contoso.com\r\nSubject: scan\r\n\r\npage\r\n",
        )
        seen.append(refused)
    return seen


async def test_smtplib_auth_refused_then_starttls_delivers(lab: Lab) -> None:
    auth, starttls_still_offered, refused = await asyncio.to_thread(_smtplib_session, lab)
    assert auth[0] == 504 and auth[1].startswith(b"5.7.4 Unrecognized authentication type")  # type: ignore[index]
    assert starttls_still_offered is False and refused == {}
    copies = {m.mailbox: m for m in lab.store.messages()}
    assert set(copies) == {"alice@contoso.com", "bob@contoso.com"}
    assert "version=TLS1_2" in dict(copies["bob@contoso.com"].headers_added)["Received"]


def _legacy_then_plaintext(lab: Lab) -> str:
    with _smtp(lab, OFFICE) as client:
        client.ehlo("old-mfp")
        try:
            client.starttls(context=_client_context(lab, ssl.TLSVersion.TLSv1))
        except (ssl.SSLError, smtplib.SMTPServerDisconnected, ConnectionError) as exc:
            failure = type(exc).__name__
        else:  # pragma: no cover - would be a bug
            return "TLS 1.0 was accepted"
    with _smtp(lab, OFFICE) as client:  # the device comes back in plaintext
        message = b"From: scanner@contoso.com\r\nSubject: x\r\n\r\ny\r\n"
        client.sendmail("scanner@contoso.com", ["alice@contoso.com"], message)
    return failure


async def test_tls_1_0_fails_and_plaintext_is_accepted(lab: Lab) -> None:
    failure = await asyncio.to_thread(_legacy_then_plaintext, lab)
    assert failure != "TLS 1.0 was accepted"
    (message,) = lab.store.messages()
    assert message.folder == "Inbox"
    first, _second = await sessions_recorded(lab, 2)
    assert any("handshake failed" in note for note in first.notes)


def _relay_with_certificate(lab: Lab, cert: Path) -> dict[str, tuple[int, bytes]]:
    context = _client_context(lab)
    context.load_cert_chain(str(cert))
    with _smtp(lab, BRANCH) as client:
        client.starttls(context=context)
        message = b"From: scanner@contoso.com\r\nSubject: r\r\n\r\nx\r\n"
        return client.sendmail("scanner@contoso.com", ["partner@fabrikam.com"], message)


async def test_connector_by_certificate_relays_over_tls(
    lab_factory: LabFactory, tmp_path: Path
) -> None:
    lab = await lab_factory("InboundConnector[Cert].TlsSenderCertificateName=relay.contoso.com")
    cert = tmp_path / "relay.pem"
    lab.context.ca.leaf("relay.contoso.com").private_key_and_cert_chain_pem.write_to_path(str(cert))
    refused = await asyncio.to_thread(_relay_with_certificate, lab, cert)
    assert refused == {}
    (message,) = lab.store.messages()
    assert message.folder == "Outbound"


async def test_exolab_messages_json_shows_folder_scl_and_headers(
    lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    await swaks(lab, BRANCH)
    data_dir = lab.context.data_dir
    assert exolab(["messages", "--data", str(data_dir), "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["folder"] == "Junk Email" and entry["scl"] == 6
    names = [name for name, _ in entry["headers"]]
    for wanted in (
        "Authentication-Results",
        "X-MS-Exchange-Organization-SCL",
        "X-Forefront-Antispam-Report",
        "X-MS-Exchange-Organization-AuthAs",
        "Received",
    ):
        assert wanted in names


async def test_in_process_spf_threads_give_the_same_verdicts(tmp_path: Path) -> None:
    from exolab.emulator.clock import FixedClock, utc
    from exolab.emulator.dns import LabDns
    from exolab.emulator.lab import PortPlan
    from exolab.emulator.smtp.mx import MxService
    from exolab.emulator.tenant import load_default_tenant

    lab = await Lab.start(
        load_default_tenant(),
        tmp_path / "threads",
        ports=PortPlan(ephemeral=True),
        clock=FixedClock(utc(2026, 11, 27, 9, 30)),
        services=[LabDns(), MxService(spf="thread")],
    )
    try:
        await swaks(lab, OFFICE)
        await swaks(lab, BRANCH)
        assert [m.folder for m in lab.store.messages()] == ["Inbox", "Junk Email"]
    finally:
        await lab.stop()
