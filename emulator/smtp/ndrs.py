"""Sending a non-delivery report: into the sender's Inbox when the sender is a mailbox.

Both front ends accept a message first and report the recipients it could not
reach afterwards, as Exchange Online does. The NDR goes to the envelope
sender (MAIL FROM), as any NDR does; a sender that is no mailbox of the
tenant gets none: the report is dropped and the session says so (Microsoft's
guide: a direct-send device needs a real sender address to receive NDRs).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from exolab.emulator.lab import LabContext
from exolab.emulator.mail.ndr import Failure, build_ndr
from exolab.emulator.replies import Reply
from exolab.emulator.smtp.session import SessionState
from exolab.emulator.store import Placement


def failure(recipient: str, reply: Reply) -> Failure:
    """``recipient`` failed with the catalog entry ``reply`` (its text goes into the NDR)."""
    return Failure(recipient, reply.code, reply.enhanced or "", reply.text)


async def report(
    lab: LabContext, state: SessionState, now: datetime, raw: bytes, failures: Sequence[Failure]
) -> None:
    """Store the NDR for ``failures`` in the sender's Inbox, or note that it was dropped."""
    sender = state.mail_from or ""
    owner = lab.tenant.find_mailbox(sender) if sender else None
    failed = ", ".join(f.recipient for f in failures)
    if owner is None:
        state.note(f"NDR for {failed} not sent: sender {sender or '<>'} is no mailbox")
        return
    ndr_id = f"{state.rng.getrandbits(64):016x}@{state.names.mailbox_host.lower()}"
    ndr = build_ndr(
        sender=sender,
        original=raw,
        failures=failures,
        reporting_mta=state.names.mailbox_host,
        when=now,
        message_id=ndr_id,
        rng=state.rng,
    )
    await lab.store.deliver(
        state.id,
        "",
        ndr,
        [Placement(owner.primary_smtp_address, "Inbox", recipients=(sender,))],
        message_id=f"<{ndr_id}>",
        received_at=now,
    )
    codes = ", ".join(f"{f.enhanced} for {f.recipient}" for f in failures)
    state.note(f"NDR to {owner.primary_smtp_address}: {codes}")
