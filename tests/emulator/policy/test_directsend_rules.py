"""The MX restriction lists on their own, in their stated order (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exolab.emulator.clock import utc
from exolab.emulator.policy.connectors import admitting_connector, certificate_matches
from exolab.emulator.policy.directsend import (
    RCPT_RULES,
    MxRcpt,
    check_auth,
    check_mail,
    check_rcpt,
)
from exolab.emulator.policy.facts import AuthCommand, MailCommand, RcptCommand, SessionFacts
from exolab.emulator.policy.verdict import Verdict, rule_names
from exolab.emulator.replies import catalog
from exolab.emulator.tenant import Tenant, apply_overrides, load_default_tenant, parse_tenant
from exolab.emulator.tenant.loader import default_document

OFFICE, BRANCH, BANNED = "203.0.113.39", "198.51.100.20", "192.0.2.66"
MX = "contoso-com.mail.protection.outlook.com"


def tenant_with(*overrides: tuple[str, object]) -> Tenant:
    document = default_document()
    apply_overrides(document, list(overrides))
    return parse_tenant(document, "test")


def session(tenant: Tenant, ip: str, sender: str | None, tls: bool = False) -> SessionFacts:
    return SessionFacts(
        tenant=tenant,
        endpoint=MX,
        port=25,
        client_ip="127.20.0.10",
        public_ip=ip,
        now=utc(2025, 6, 2),
        tls_version="TLSv1.3" if tls else None,
        helo="mfd",
        esmtp=True,
        mail_from=sender,
    )


def decide(
    tenant: Tenant,
    ip: str,
    sender: str,
    rcpt: str,
    tls: bool = False,
    names: tuple[str, ...] = (),
) -> Verdict:
    connector = admitting_connector(tenant, ip, tls, names)
    return check_rcpt(MxRcpt(RcptCommand(session(tenant, ip, sender, tls), rcpt), connector))


def test_the_stated_order() -> None:
    assert rule_names(RCPT_RULES) == [
        "require_mail_before_rcpt",
        "require_valid_rcpt_syntax",
        "recipients_per_message",
        "reject_banned_ip",
        "reject_banned_sender",
        "reject_ip_not_accepted",
        "defer_throttled_ip",
        "defer_suspicious_ip",
        "reject_customer_block_list",
        "reject_tenant_over_threshold",
        "reject_unregistered_sender_domain",
        "reject_wrong_region",
        "reject_unauth_destination",
        "reject_no_mail_subscription",
        "reject_unknown_recipient",
        "reject_direct_send",
    ]


def test_the_demo_world() -> None:
    t = load_default_tenant()
    ok = decide(t, OFFICE, "scanner@contoso.com", "alice@contoso.com")
    assert ok.reply is catalog.RCPT_OK and ok.rule == "accept_internal"
    assert (
        decide(t, BANNED, "scanner@contoso.com", "alice@contoso.com").reply
        is catalog.RCPT_BANNED_IP
    )
    relay = decide(t, OFFICE, "scanner@contoso.com", "partner@fabrikam.com")
    assert relay.reply is catalog.RCPT_RELAY_DENIED
    assert decide(t, OFFICE, "scanner@contoso.com", "nobody@contoso.com").reply is catalog.RCPT_DBEB
    outside = decide(t, BRANCH, "partner@fabrikam.com", "alice@contoso.com")
    assert outside.rule == "accept_internal"  # ordinary inbound internet mail


def test_mail_needs_no_auth_and_auth_is_refused() -> None:
    t = load_default_tenant()
    mail = check_mail(MailCommand(session(t, OFFICE, None), "scanner@contoso.com"))
    assert mail.reply is catalog.MAIL_OK
    auth = check_auth(AuthCommand(session(t, OFFICE, None), "LOGIN", known=False))
    assert auth.reply is catalog.AUTH_UNRECOGNIZED
    before_ehlo = AuthCommand(SessionFacts(t, MX, 25, "x", OFFICE, utc(2025, 6, 2)), "PLAIN", False)
    assert check_auth(before_ehlo).reply is catalog.HELLO_FIRST


def test_banned_ip_comes_first() -> None:
    t = tenant_with(
        ("OrganizationConfig.RejectDirectSend", True),
        ("InboundConnector[Blocked].SenderIPAddresses", [BANNED]),
    )
    for rcpt in ("alice@contoso.com", "nobody@contoso.com", "partner@fabrikam.com"):
        verdict = decide(t, BANNED, "scanner@contoso.com", rcpt)
        assert verdict.reply is catalog.RCPT_BANNED_IP
        assert dict(verdict.params) == {"client_ip": BANNED}


def test_reject_direct_send() -> None:
    t = tenant_with(("OrganizationConfig.RejectDirectSend", True))
    verdict = decide(t, OFFICE, "scanner@contoso.com", "alice@contoso.com")
    assert verdict.reply is catalog.RCPT_REJECT_DIRECT_SEND
    # a P1 sender outside the accepted domains is not direct send: allowed
    assert decide(t, OFFICE, "partner@fabrikam.com", "alice@contoso.com").accepted
    # the unknown-recipient rule comes before it
    assert decide(t, OFFICE, "scanner@contoso.com", "nobody@contoso.com").reply is catalog.RCPT_DBEB
    # a connector attributes the mail to the organization
    c = tenant_with(
        ("OrganizationConfig.RejectDirectSend", True),
        ("InboundConnector[Office].SenderIPAddresses", [OFFICE]),
    )
    assert decide(c, OFFICE, "scanner@contoso.com", "alice@contoso.com").accepted


def test_connector_by_ip_relays_to_the_outside() -> None:
    t = tenant_with(("InboundConnector[Branch].SenderIPAddresses", ["198.51.100.0/24"]))
    relay = decide(t, BRANCH, "scanner@contoso.com", "partner@fabrikam.com")
    assert relay.rule == "accept_relay" and "Branch" in relay.reason
    denied = decide(t, OFFICE, "scanner@contoso.com", "partner@fabrikam.com")
    assert denied.reply is catalog.RCPT_RELAY_DENIED


def test_connector_by_certificate_needs_tls_and_a_matching_name() -> None:
    t = tenant_with(("InboundConnector[Cert].TlsSenderCertificateName", "*.contoso.com"))
    names = ("relay.contoso.com",)
    fab = "partner@fabrikam.com"
    assert decide(t, BRANCH, "scanner@contoso.com", fab, True, names).rule == "accept_relay"
    assert not decide(t, BRANCH, "scanner@contoso.com", fab, False, names).accepted
    assert not decide(t, BRANCH, "scanner@contoso.com", fab, True, ("evil.com",)).accepted


def test_require_tls_and_disabled_connectors_do_not_admit() -> None:
    t = tenant_with(
        ("InboundConnector[Branch].SenderIPAddresses", [BRANCH]),
        ("InboundConnector[Branch].RequireTls", True),
    )
    assert admitting_connector(t, BRANCH, tls=False) is None
    assert admitting_connector(t, BRANCH, tls=True) is not None
    off = tenant_with(
        ("InboundConnector[Branch].SenderIPAddresses", [BRANCH]),
        ("InboundConnector[Branch].Enabled", False),
    )
    assert admitting_connector(off, BRANCH, tls=True) is None


def test_hosted_domain_and_dbeb_off() -> None:
    t = tenant_with(("ExternalDomain[fabrikam.com].HostedInMicrosoft365", True))
    assert decide(t, OFFICE, "scanner@contoso.com", "partner@fabrikam.com").rule == "accept_hosted"
    loose = tenant_with(("Tenant.DirectoryBasedEdgeBlocking", False))
    assert (
        decide(loose, OFFICE, "scanner@contoso.com", "nobody@contoso.com").rule == "accept_nowhere"
    )


@pytest.mark.parametrize(
    ("wanted", "names", "match"),
    [
        ("relay.contoso.com", ["relay.contoso.com"], True),
        ("RELAY.contoso.com.", ["relay.contoso.com"], True),
        ("relay.contoso.com", ["*.contoso.com"], True),
        ("*.contoso.com", ["mfd.contoso.com"], True),
        ("contoso.com", ["*.contoso.com"], False),
        ("a.b.contoso.com", ["*.contoso.com"], False),
        ("contoso.com", ["contoso.com.evil.com"], False),
    ],
)
def test_certificate_matching(wanted: str, names: list[str], match: bool) -> None:
    assert certificate_matches(wanted, names) is match


addresses = st.sampled_from(
    ["alice@contoso.com", "nobody@contoso.com", "partner@fabrikam.com", "x@gmail.com", ""]
)
TENANTS = {
    (r, d): tenant_with(
        ("OrganizationConfig.RejectDirectSend", r), ("Tenant.DirectoryBasedEdgeBlocking", d)
    )
    for r in (False, True)
    for d in (False, True)
}


@given(
    ip=st.sampled_from([OFFICE, BRANCH, BANNED, "198.51.100.250", "not-an-ip"]),
    sender=addresses,
    rcpt=addresses,
    reject=st.booleans(),
    dbeb=st.booleans(),
)
def test_every_decision_is_a_catalog_reply(
    ip: str, sender: str, rcpt: str, reject: bool, dbeb: bool
) -> None:
    t = TENANTS[(reject, dbeb)]
    verdict = check_rcpt(MxRcpt(RcptCommand(session(t, ip, sender), rcpt or None), None))
    assert verdict.reply in catalog.all_replies()
    assert verdict.accepted == (verdict.reply is catalog.RCPT_OK)
    if not rcpt.endswith("@contoso.com"):
        assert not verdict.accepted  # nothing leaves without a connector
    if ip == BANNED and rcpt:
        assert verdict.reply is catalog.RCPT_BANNED_IP


def test_certificate_names_come_from_the_recorded_certificate() -> None:
    from exolab.emulator.smtp.mx import certificate_names

    cert = {
        "subject": ((("countryName", "JP"),), (("commonName", "relay.contoso.com"),)),
        "subjectAltName": (("DNS", "relay.contoso.com"), ("IP Address", "203.0.113.5")),
    }
    assert certificate_names(cert) == ("relay.contoso.com", "relay.contoso.com")
    assert certificate_names(None) == () == certificate_names({})
