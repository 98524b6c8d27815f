"""Inbound (MX) delivery planning: which copies an accepted message becomes, and the From domain.

Pure. Internal recipients get one copy per mailbox (two addresses of one
mailbox make one copy) in the folder the spam verdict chose; recipients
outside the tenant (relay through a connector, or another Microsoft 365
tenant) get one copy in ``Outbound`` (the internet). Every copy carries the
same stamped header block; the body is never copied.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses

from exolab.emulator.mail.headers import Header
from exolab.emulator.policy.directsend import Route
from exolab.emulator.policy.spam import SpamVerdict
from exolab.emulator.store import Placement
from exolab.emulator.tenant import Tenant

_HEADER_LIMIT = 1 << 20


def header_section(raw: bytes) -> bytes:
    """The header block of a message (up to the first empty line), at most 1 MiB."""
    head = raw[:_HEADER_LIMIT]
    for sep in (b"\r\n\r\n", b"\n\n"):
        end = head.find(sep)
        if end >= 0:
            return head[: end + len(sep)]
    return head


_FIELD = re.compile(
    rb"^(from|message-id)[ \t]*:(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE
)


def sender_fields(raw: bytes) -> tuple[tuple[str, ...], str | None]:
    """The From addresses (lower case) and the Message-ID (without <>), from the header only.

    A direct scan of the two fields the MX needs (an order of magnitude cheaper
    than the email package's parser on every accepted message); folded lines
    are unfolded, junk gives () / None, never an error.
    """
    froms: list[str] = []
    message_id: str | None = None
    for match in _FIELD.finditer(header_section(raw)):
        name = match.group(1).lower()
        value = re.sub(rb"\r?\n[ \t]", b" ", match.group(2)).decode("utf-8", "replace").strip()
        if name == b"from":
            froms.append(value)
        elif message_id is None:
            message_id = value.strip().strip("<>").strip() or None
    try:
        pairs = getaddresses(froms)
    except Exception:  # a broken header is the sender's problem, never ours
        pairs = []
    addresses = tuple(addr.strip().lower() for _name, addr in pairs if "@" in addr)
    return addresses, message_id


def header_from(raw: bytes) -> tuple[str, ...]:
    """Addresses in the From header field (lower case); () when there is none or it is junk."""
    try:
        parsed = BytesHeaderParser(policy=compat32).parsebytes(header_section(raw))
        values = [str(v) for v in parsed.get_all("From", [])]
        pairs = getaddresses(values)
    except Exception:  # a broken header is the sender's problem, never ours
        return ()
    return tuple(addr.strip().lower() for _name, addr in pairs if "@" in addr)


def from_domain(raw: bytes) -> str | None:
    """The RFC5322.From domain DMARC and compauth judge (the first From address)."""
    addresses = header_from(raw)
    if not addresses:
        return None
    domain = addresses[0].rpartition("@")[2].strip().rstrip(".")
    return domain or None


def placements(
    tenant: Tenant,
    recipients: Sequence[tuple[str, Route]],
    verdict: SpamVerdict,
    headers: tuple[Header, ...],
) -> list[Placement]:
    """The copies to commit, in recipient order; ``nowhere`` recipients get none."""
    internal: dict[str, list[str]] = {}
    outside: list[str] = []
    for address, route in recipients:
        if route == "internal":
            mailbox = tenant.find_mailbox(address)
            if mailbox is not None:
                internal.setdefault(mailbox.primary_smtp_address, []).append(address)
        elif route in ("relay", "hosted"):
            outside.append(address)
    copies = [
        Placement(mailbox, verdict.folder, headers, verdict.scl, tuple(addresses))
        for mailbox, addresses in internal.items()
    ]
    copies += [
        Placement(address, "Outbound", headers, verdict.scl, (address,)) for address in outside
    ]
    return copies
