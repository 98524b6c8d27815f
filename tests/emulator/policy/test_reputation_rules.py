"""IP reputation and tenant attribution on the MX, pure: each list reaches its reply, in order."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exolab.emulator.policy.reputation import listed
from exolab.emulator.replies import catalog
from tests.emulator.policy.test_directsend_rules import BRANCH, OFFICE, decide, tenant_with

ALICE, PARTNER = "alice@contoso.com", "partner@fabrikam.com"
CONNECTOR = ("InboundConnector[Branch].SenderIPAddresses", [BRANCH])


@pytest.mark.parametrize(
    ("key", "reply"),
    [
        ("Blocklist.BannedSenders", catalog.RCPT_BANNED_SENDER),
        ("Blocklist.NotAcceptedIps", catalog.RCPT_IP_NOT_ACCEPTED),
        ("Blocklist.ThrottledIps", catalog.RCPT_IP_THROTTLED),
        ("Blocklist.SuspiciousIps", catalog.RCPT_IP_SUSPICIOUS),
        ("Blocklist.IPBlockList", catalog.RCPT_CUSTOMER_BLOCK_LIST),
    ],
)
def test_each_ip_list_gives_its_reply_and_only_for_a_listed_ip(key: str, reply: object) -> None:
    tenant = tenant_with((key, ["203.0.113.0/24"]))
    verdict = decide(tenant, OFFICE, "scanner@contoso.com", ALICE)
    assert verdict.reply is reply
    assert verdict.params["client_ip"] == OFFICE
    assert decide(tenant, BRANCH, "scanner@contoso.com", ALICE).reply is catalog.RCPT_OK


def test_final_refusals_come_before_temporary_ones() -> None:
    everything = ["203.0.113.39"]
    tenant = tenant_with(
        ("Blocklist.ThrottledIps", everything),
        ("Blocklist.NotAcceptedIps", everything),
        ("Blocklist.BannedSenders", everything),
    )
    assert decide(tenant, OFFICE, "a@b.example", ALICE).reply is catalog.RCPT_BANNED_SENDER
    tenant = tenant_with(
        ("Blocklist.ThrottledIps", everything), ("Blocklist.NotAcceptedIps", everything)
    )
    assert decide(tenant, OFFICE, "a@b.example", ALICE).reply is catalog.RCPT_IP_NOT_ACCEPTED


def test_the_customer_block_list_names_the_recipient_domain_and_guards_only_its_domains() -> None:
    tenant = tenant_with(("Blocklist.IPBlockList", [OFFICE]))
    verdict = decide(tenant, OFFICE, "x@example.net", ALICE)
    assert verdict.params["recipient_domain"] == "contoso.com"
    # mail to another tenant's domain is not the tenant's to block
    hosted = tenant_with(
        ("Blocklist.IPBlockList", [OFFICE]),
        ("ExternalDomain[tailspin.com].HostedInMicrosoft365", True),
    )
    assert decide(hosted, OFFICE, "x@example.net", "bo@tailspin.com").reply is catalog.RCPT_OK


def test_a_bad_public_ip_or_entry_never_matches() -> None:
    assert listed("not-an-ip", ["0.0.0.0/0"]) is None
    assert listed(OFFICE, ["garbage", "203.0.113.39"]) == "203.0.113.39"


def test_tenant_over_threshold_refuses_only_attributed_mail() -> None:
    tenant = tenant_with(CONNECTOR, ("Blocklist.TenantOverThreshold", True))
    verdict = decide(tenant, BRANCH, "scanner@contoso.com", PARTNER)
    assert verdict.reply is catalog.RCPT_TENANT_OVER_THRESHOLD
    # plain direct send from a site no connector admits is not attributed
    assert decide(tenant, OFFICE, "scanner@contoso.com", ALICE).reply is catalog.RCPT_OK


def test_relay_from_an_unregistered_domain_only_when_the_tenant_asks() -> None:
    off = tenant_with(CONNECTOR)
    assert decide(off, BRANCH, "mfp@unregistered.example", PARTNER).reply is catalog.RCPT_OK
    on = tenant_with(CONNECTOR, ("Blocklist.RejectUnregisteredSenderDomains", True))
    verdict = decide(on, BRANCH, "mfp@unregistered.example", PARTNER)
    assert verdict.reply is catalog.RCPT_UNREGISTERED_DOMAIN
    assert decide(on, BRANCH, "scanner@contoso.com", PARTNER).reply is catalog.RCPT_OK
    # inbound to the tenant itself is no relay
    assert decide(on, BRANCH, "mfp@unregistered.example", ALICE).reply is catalog.RCPT_OK


def test_a_connector_that_reaches_another_region_gets_4_4_62() -> None:
    same = tenant_with(CONNECTOR, ("InboundConnector[Branch].SendsToRegion", "nam"))
    assert decide(same, BRANCH, "scanner@contoso.com", PARTNER).reply is catalog.RCPT_OK
    other = tenant_with(CONNECTOR, ("InboundConnector[Branch].SendsToRegion", "EUR"))
    verdict = decide(other, BRANCH, "scanner@contoso.com", PARTNER)
    assert verdict.reply is catalog.RCPT_WRONG_REGION
    assert (verdict.reply.code, verdict.reply.enhanced) == (451, "4.4.62")


def test_a_hosted_domain_without_mail_subscription_gets_the_published_550_4_4_4() -> None:
    tenant = tenant_with(
        ("ExternalDomain[tailspin.com].HostedInMicrosoft365", True),
        ("ExternalDomain[tailspin.com].MailEnabledSubscriptions", False),
    )
    verdict = decide(tenant, OFFICE, "scanner@contoso.com", "bo@tailspin.com")
    assert verdict.reply is catalog.RCPT_NO_MAIL_SUBSCRIPTION
    assert (verdict.reply.code, verdict.reply.enhanced) == (550, "4.4.4")
    assert verdict.reply.class_conflict


@given(st.ip_addresses(v=4), st.integers(min_value=0, max_value=32))
def test_an_ip_is_listed_exactly_when_a_network_holds_it(ip: object, prefix: int) -> None:
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    outside = (
        network.broadcast_address + 1 if network.broadcast_address.packed != b"\xff" * 4 else None
    )
    assert listed(str(ip), ["not-a-network", str(network)]) == str(network)
    if outside is not None:
        assert listed(str(outside), [str(network)]) is None
