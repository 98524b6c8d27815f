"""Where an accepted submission goes: an Inbox copy per tenant mailbox, one Outbound copy for the rest.

Client submission, High Volume Email and the ACS relay place mail the same
way and stamp it with the same ``Received:`` line; each adds its own extras
(submission keeps a Sent Items copy). Direct send decides its placements in
its pure judge instead (emulator/policy/inbound.py): SPF and the spam
verdict choose the folder there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from exolab.emulator.mail.headers import Header, Hop, received
from exolab.emulator.smtp.session import SessionState
from exolab.emulator.store import Placement
from exolab.emulator.tenant import Tenant


def received_stamp(state: SessionState, now: datetime) -> tuple[Header, ...]:
    """The ``Received:`` header the front end adds for this session's client."""
    hop = Hop(
        helo=state.helo,
        client_ip=state.public_ip,
        by_host=state.names.trailer_host,
        when=now,
        tls_version=state.tls_version,
        cipher=state.cipher,
    )
    return (received(hop),)


def inbox_and_outbound(
    tenant: Tenant,
    recipients: Sequence[str],
    stamp: tuple[Header, ...],
    outbound_owner: str | None,
    unknown: list[str] | None = None,
) -> list[Placement]:
    """One Inbox copy per tenant mailbox; the outside recipients in one Outbound copy.

    ``outbound_owner`` None: the path delivers inside only (its RCPT rules refused
    every outside recipient already), so nothing goes to Outbound. ``unknown``
    given: an address in an accepted domain that no mailbox has goes there (to be
    reported in an NDR) instead of to Outbound."""
    placements: list[Placement] = []
    outside: list[str] = []
    for rcpt in recipients:
        mailbox = tenant.find_mailbox(rcpt)
        if mailbox is None and unknown is not None and tenant.is_accepted_domain(rcpt):
            unknown.append(rcpt)
        elif mailbox is None:
            outside.append(rcpt)
        else:
            placements.append(
                Placement(mailbox.primary_smtp_address, "Inbox", stamp, recipients=(rcpt,))
            )
    if outside and outbound_owner is not None:
        placements.append(Placement(outbound_owner, "Outbound", stamp, recipients=tuple(outside)))
    return placements
