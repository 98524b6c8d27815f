"""Tenant attribution on the MX: whose mail is this, and may that tenant send or receive it?

Pure. Mail that an inbound connector admits is attributed to the tenant; that
tenant may be over its outbound threshold (5.7.705), may relay only from its
own (accepted) domains when the tenant asks for it (5.7.750), and its
connector's server may have reached the wrong region's front ends (4.4.62
ATTR35). A recipient domain that another Microsoft 365 tenant holds without
a mail-enabled subscription gets the published ``550 4.4.4 … ATTR5``.
``directsend.RCPT_RULES`` states where each sits in the order.
"""

from __future__ import annotations

from exolab.emulator.policy.facts import MxRcpt
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import catalog


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()


def reject_tenant_over_threshold(rcpt: MxRcpt) -> Verdict | None:
    if rcpt.connector is None or not rcpt.tenant.blocklist.tenant_over_threshold:
        return None
    return Verdict(
        catalog.RCPT_TENANT_OVER_THRESHOLD,
        "reject_tenant_over_threshold",
        f"inbound connector {rcpt.connector.name!r} attributes the mail to the tenant, whose "
        "outbound mail is over its threshold (Blocklist.TenantOverThreshold)",
    )


def reject_unregistered_sender_domain(rcpt: MxRcpt) -> Verdict | None:
    tenant = rcpt.tenant
    if rcpt.connector is None or not tenant.blocklist.reject_unregistered_sender_domains:
        return None
    if tenant.is_accepted_domain(_domain(rcpt.recipient)):
        return None  # inbound to the tenant, not a relay
    sender_domain = _domain(rcpt.cmd.session.mail_from or "")
    if sender_domain and tenant.is_accepted_domain(sender_domain):
        return None
    return Verdict(
        catalog.RCPT_UNREGISTERED_DOMAIN,
        "reject_unregistered_sender_domain",
        f"relay through {rcpt.connector.name!r} from {sender_domain or 'the null sender'}, "
        "which is no accepted domain of the tenant",
    )


def reject_wrong_region(rcpt: MxRcpt) -> Verdict | None:
    connector = rcpt.connector
    if connector is None or connector.sends_to_region is None:
        return None
    home = rcpt.tenant.tenant.region
    if connector.sends_to_region.upper() == home.upper():
        return None
    return Verdict(
        catalog.RCPT_WRONG_REGION,
        "reject_wrong_region",
        f"inbound connector {connector.name!r} reaches the {connector.sends_to_region} front "
        f"ends; the tenant is held in {home}",
    )


def reject_no_mail_subscription(rcpt: MxRcpt) -> Verdict | None:
    domain = _domain(rcpt.recipient)
    for external in rcpt.tenant.external_domain:
        if external.name.lower() != domain or not external.hosted_in_microsoft365:
            continue
        if not external.mail_enabled_subscriptions:
            return Verdict(
                catalog.RCPT_NO_MAIL_SUBSCRIPTION,
                "reject_no_mail_subscription",
                f"{domain} belongs to a Microsoft 365 tenant with no mail-enabled subscription",
            )
    return None
