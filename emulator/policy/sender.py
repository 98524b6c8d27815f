"""Who the authenticated mailbox may send as: envelope (MAIL) and header From (EOD)."""

from __future__ import annotations

from exolab.emulator.policy.facts import EndOfData, MailCommand
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import catalog
from exolab.emulator.tenant import Tenant


def may_send_as(tenant: Tenant, identity: str, address: str) -> bool:
    """The address is the identity's own (primary or proxy), or its owner granted Send As."""
    owner = tenant.find_mailbox(address)
    if owner is None:
        return False
    if identity.lower() in owner.addresses():
        return True
    me = tenant.find_mailbox(identity)
    trustees = set(owner.send_as_trustees)
    return me is not None and bool(trustees & me.addresses())


def require_authentication(cmd: MailCommand) -> Verdict | None:
    """Not authenticated: the 5.7.57 refusal, with the last AUTH error appended when there was one."""
    s = cmd.session
    if s.identity is not None:
        return None
    reason = "MAIL without AUTH"
    if s.last_auth_error is not None:
        reason += f" (last AUTH failed: {s.last_auth_error.rule})"
    return Verdict(catalog.MAIL_NOT_AUTHENTICATED, "require_authentication", reason)


def reject_restricted_sender(cmd: MailCommand) -> Verdict | None:
    mailbox = cmd.session.mailbox()
    if mailbox is not None and mailbox.restricted_sender:
        return Verdict(
            catalog.MAIL_BAD_OUTBOUND_SENDER,
            "reject_restricted_sender",
            f"{mailbox.primary_smtp_address} is on the Restricted entities list",
        )
    return None


def envelope_sender_allowed(cmd: MailCommand) -> Verdict | None:
    identity = cmd.session.identity
    if identity is None or cmd.address is None:
        return None
    if cmd.address and may_send_as(cmd.session.tenant, identity, cmd.address):
        return None
    return Verdict(
        catalog.MAIL_SEND_AS_DENIED,
        "envelope_sender_allowed",
        f"{identity} has no Send As right on {cmd.address or '<>'}",
    )


def header_from_allowed(eod: EndOfData) -> Verdict | None:
    identity = eod.session.identity
    if identity is None:
        return None
    for address in eod.header_from:
        if not may_send_as(eod.session.tenant, identity, address):
            return Verdict(
                catalog.EOD_SEND_AS_DENIED,
                "header_from_allowed",
                f"From: {address} is not {identity} and no Send As grant",
                params={"user": identity, "sender": address},
            )
    return None
