"""What the header block of a message must be, on both front ends, at end of data.

- ``header_size_within_limit``: ``552 5.3.4 Header size exceeds fixed maximum size``
  (a real smtp.office365.com log; the 256 KB limit is ``Limits.MaxHeaderSize``).
- ``header_from_compliant``: ``550 5.7.512 Access denied, message must be RFC 5322
  section 3.6.2 compliant`` for a missing, repeated or address-less From
  (Microsoft's NDR table; the smtp-submission-improvements doc warns that
  sloppy device headers "can generate sending errors").

Order (CHOSEN): the size checks first (they need no parsing), then the header
size, then From, then Send As, which needs a From to judge.
"""

from __future__ import annotations

from exolab.emulator.policy.facts import EndOfData
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import catalog


def header_size_within_limit(eod: EndOfData) -> Verdict | None:
    limit = eod.session.tenant.limits.max_header_size
    if eod.header_size > limit:
        return Verdict(
            catalog.EOD_HEADER_TOO_BIG,
            "header_size_within_limit",
            f"header block of {eod.header_size} bytes is over Limits.MaxHeaderSize {limit}",
        )
    return None


def header_from_compliant(eod: EndOfData) -> Verdict | None:
    if not eod.from_compliant:
        shown = ", ".join(eod.header_from) or "(none)"
        return Verdict(
            catalog.EOD_FROM_INVALID,
            "header_from_compliant",
            f"From header is not one field of local@domain addresses: {shown}",
        )
    return None
