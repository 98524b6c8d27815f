"""Whether an internal recipient's mailbox takes a message that submission accepted.

Exchange Online accepts a submission first and delivers to each mailbox of
the tenant afterwards; a mailbox that cannot take the message is reported to
the sender in an NDR, never refused on the wire. Checked in this order, the
first that applies decides:

1. ``mailbox_can_receive``: the mailbox is at its ProhibitSendReceiveQuota
   (``554 5.2.2 mailbox full``: the store refuses to create the item);
2. ``within_max_receive_size``: the message is larger than the mailbox's
   MaxReceiveSize (``550 5.2.3 RESOLVER.RST.RecipSizeLimit``: the resolver
   stops it before the store is asked).

The quota goes first because a full mailbox refuses every message, whatever
its size. Pure: tenant data and a size in, a catalog entry (or None) out.
"""

from __future__ import annotations

from exolab.emulator.replies import Reply, catalog
from exolab.emulator.tenant.model import Mailbox


def mailbox_can_receive(mailbox: Mailbox, size: int) -> Reply | None:
    if mailbox.total_item_size >= mailbox.prohibit_send_receive_quota:
        return catalog.NDR_MAILBOX_FULL
    return None


def within_max_receive_size(mailbox: Mailbox, size: int) -> Reply | None:
    if size > mailbox.max_receive_size:
        return catalog.NDR_RECIPIENT_SIZE_LIMIT
    return None


DELIVERY_RULES = (mailbox_can_receive, within_max_receive_size)


def delivery_refused(mailbox: Mailbox, size: int) -> Reply | None:
    """The NDR reply for a ``size``-byte message to ``mailbox``, or None if it is delivered."""
    for rule in DELIVERY_RULES:
        reply = rule(mailbox, size)
        if reply is not None:
            return reply
    return None
