"""The MX recipient rules on their own, in their stated order (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.policy.connectors import admitting_connector, certificate_matches
from emulator.policy.directsend import RcptFacts, auth_on_mx, check_recipient
from emulator.replies import catalog
from emulator.tenant import Tenant, apply_overrides, load_default_tenant, parse_tenant
from emulator.tenant.loader import default_document

OFFICE, BRANCH, BANNED = "203.0.113.39", "198.51.100.20", "192.0.2.66"


def tenant_with(*overrides: tuple[str, object]) -> Tenant:
    document = default_document()
    apply_overrides(document, list(overrides))
    return parse_tenant(document, "test")


def decide(
    tenant: Tenant, ip: str, sender: str, rcpt: str, tls: bool = False, names: tuple[str, ...] = ()
):  # type: ignore[no-untyped-def]
    connector = admitting_connector(tenant, ip, tls, names)
    return check_recipient(tenant, RcptFacts(ip, sender, rcpt, connector))


def test_the_demo_world() -> None:
    t = load_default_tenant()
    ok = decide(t, OFFICE, "scanner@contoso.com", "alice@contoso.com")
    assert ok.reply is catalog.RCPT_OK and ok.route == "internal"
    assert (
        decide(t, BANNED, "scanner@contoso.com", "alice@contoso.com").reply
        is catalog.RCPT_BANNED_IP
    )
    assert (
        decide(t, OFFICE, "scanner@contoso.com", "partner@fabrikam.com").reply
        is catalog.RCPT_RELAY_DENIED
    )
    assert decide(t, OFFICE, "scanner@contoso.com", "nobody@contoso.com").reply is catalog.RCPT_DBEB
    outside = decide(t, BRANCH, "partner@fabrikam.com", "alice@contoso.com")
    assert outside.route == "internal"  # ordinary inbound internet mail


def test_banned_ip_comes_first() -> None:
    t = tenant_with(
        ("OrganizationConfig.RejectDirectSend", True),
        ("InboundConnector[Blocked].SenderIPAddresses", [BANNED]),
    )
    for rcpt in ("alice@contoso.com", "nobody@contoso.com", "partner@fabrikam.com"):
        decision = decide(t, BANNED, "scanner@contoso.com", rcpt)
        assert decision.reply is catalog.RCPT_BANNED_IP
        assert dict(decision.params) == {"client_ip": BANNED}


def test_reject_direct_send() -> None:
    t = tenant_with(("OrganizationConfig.RejectDirectSend", True))
    assert (
        decide(t, OFFICE, "scanner@contoso.com", "alice@contoso.com").reply
        is catalog.RCPT_REJECT_DIRECT_SEND
    )
    # P1 sender outside the accepted domains is not direct send: allowed
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
    assert relay.route == "relay" and "Branch" in relay.note
    assert (
        decide(t, OFFICE, "scanner@contoso.com", "partner@fabrikam.com").reply
        is catalog.RCPT_RELAY_DENIED
    )


def test_connector_by_certificate_needs_tls_and_a_matching_name() -> None:
    t = tenant_with(("InboundConnector[Cert].TlsSenderCertificateName", "*.contoso.com"))
    names = ("relay.contoso.com",)
    assert (
        decide(t, BRANCH, "scanner@contoso.com", "partner@fabrikam.com", True, names).route
        == "relay"
    )
    assert not decide(
        t, BRANCH, "scanner@contoso.com", "partner@fabrikam.com", False, names
    ).accepted
    assert not decide(
        t, BRANCH, "scanner@contoso.com", "partner@fabrikam.com", True, ("evil.com",)
    ).accepted


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
    assert decide(t, OFFICE, "scanner@contoso.com", "partner@fabrikam.com").route == "hosted"
    loose = tenant_with(("Tenant.DirectoryBasedEdgeBlocking", False))
    assert decide(loose, OFFICE, "scanner@contoso.com", "nobody@contoso.com").route == "nowhere"


def test_auth_on_the_mx() -> None:
    assert auth_on_mx().reply is catalog.AUTH_UNRECOGNIZED


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


@given(
    ip=st.sampled_from([OFFICE, BRANCH, BANNED, "198.51.100.250", "not-an-ip"]),
    sender=addresses,
    rcpt=addresses.filter(bool),
    reject=st.booleans(),
    dbeb=st.booleans(),
)
def test_every_decision_is_a_catalog_rcpt_reply(
    ip: str, sender: str, rcpt: str, reject: bool, dbeb: bool
) -> None:
    t = TENANTS[(reject, dbeb)]
    decision = check_recipient(t, RcptFacts(ip, sender, rcpt, None))
    assert decision.reply in catalog.all_replies()
    assert decision.accepted == (decision.reply is catalog.RCPT_OK)
    if not rcpt.endswith("@contoso.com"):
        assert not decision.accepted  # nothing leaves without a connector
    if ip == BANNED:
        assert decision.reply is catalog.RCPT_BANNED_IP


TENANTS = {
    (r, d): tenant_with(
        ("OrganizationConfig.RejectDirectSend", r), ("Tenant.DirectoryBasedEdgeBlocking", d)
    )
    for r in (False, True)
    for d in (False, True)
}
