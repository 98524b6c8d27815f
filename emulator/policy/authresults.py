"""Sender authentication results: SPF as given, DMARC parsed and applied, compauth composed.

Pure: the DNS answers come in as values (``SpfResult``, the DMARC TXT text);
what comes out is what Exchange Online stamps in ``Authentication-Results``
(anti-spam message headers, https://learn.microsoft.com/en-us/defender-office-365/message-headers-eop-mdo):

- ``dmarc=pass|fail|bestguesspass|none action=none|oreject|quarantine|pct.quarantine|pct.reject``
- ``compauth=pass|fail|softpass|none reason=NNN``

Microsoft documents the reason *ranges*; the exact digits below are CHOSEN
(marked per value) and documented in docs/guide/direct-send.md. DKIM is
``none`` (exolab does not sign or verify): DMARC therefore rests on SPF alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from publicsuffixlist import PublicSuffixList

SpfVerdict = Literal["pass", "fail", "softfail", "neutral", "none", "temperror", "permerror"]
DmarcVerdict = Literal["pass", "fail", "bestguesspass", "none", "temperror", "permerror"]
DmarcAction = Literal[
    "none", "oreject", "quarantine", "pct.quarantine", "pct.reject", "permerror", "temperror"
]
CompauthVerdict = Literal["pass", "fail", "softpass", "none"]

SPF_VERDICTS: tuple[SpfVerdict, ...] = (
    "pass",
    "fail",
    "softfail",
    "neutral",
    "none",
    "temperror",
    "permerror",
)

# compauth reasons: the range is documented, the last two digits are Microsoft-internal.
REASON_PASS = "100"  # 1xx pass: DMARC pass (digits CHOSEN)
REASON_BESTGUESS = "109"  # 1xx pass: no DMARC record, would have passed (digits CHOSEN)
REASON_EXPLICIT_FAIL = "000"  # documented: DMARC fail with quarantine/reject
REASON_IMPLICIT_FAIL = "001"  # documented: no records or a weak policy
REASON_INTRAORG_DMARC = "010"  # documented: DMARC reject/quarantine on an accepted domain
REASON_INTRAORG_IMPLICIT = "601"  # 6xx: implicit fail on an accepted domain (digits CHOSEN)
REASON_NOT_CHECKED = "301"  # 3xx: not checked, no From domain (digits CHOSEN)
REASON_BYPASSED = "405"  # 4xx: bypassed, mail attributed to an OnPremises connector (CHOSEN)


@dataclass(frozen=True)
class SpfResult:
    """pyspf's result for the MAIL FROM identity (or HELO for a null sender)."""

    result: SpfVerdict
    domain: str
    """The domain SPF checked: ``smtp.mailfrom``."""
    explanation: str = ""


@dataclass(frozen=True)
class DmarcPolicy:
    """A parsed ``v=DMARC1`` record (RFC 7489 6.3), the tags exolab uses."""

    p: Literal["none", "quarantine", "reject"]
    sp: Literal["none", "quarantine", "reject"] | None = None
    pct: int = 100
    aspf: Literal["r", "s"] = "r"


class DmarcSyntaxError(ValueError):
    """The record is not valid DMARC (dmarc=permerror)."""


def parse_dmarc(text: str) -> DmarcPolicy:
    """Parse a DMARC TXT record; unknown tags are ignored, bad required ones raise."""
    tags: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep:
            tags.setdefault(key.strip().lower(), value.strip())
    if tags.get("v", "").upper() != "DMARC1":
        raise DmarcSyntaxError("v=DMARC1 must come first")
    policies = ("none", "quarantine", "reject")
    p = tags.get("p", "").lower()
    if p not in policies:
        raise DmarcSyntaxError(f"p={p!r} is not none, quarantine or reject")
    sp = tags.get("sp", "").lower() or None
    if sp is not None and sp not in policies:
        sp = None  # RFC 7489 6.3: an invalid sp is ignored
    try:
        pct = min(100, max(0, int(tags.get("pct", "100"))))
    except ValueError:
        pct = 100
    aspf = "s" if tags.get("aspf", "r").lower() == "s" else "r"
    return DmarcPolicy(p, sp, pct, aspf)  # type: ignore[arg-type]


@cache
def _public_suffix_list() -> PublicSuffixList:
    """The Public Suffix List snapshot the package ships: read once, never downloaded."""
    return PublicSuffixList()


ORG_DOMAIN_CACHE = 4096
"""Domains whose organizational domain is kept: the list lookup encodes every label (IDNA)
each time, and a lab sees the same few sender domains over and over."""
LONGEST_DOMAIN = 253
"""Longer names (client text, never a real domain) are looked up, not cached."""


def organizational_domain(domain: str) -> str:
    """RFC 7489 3.2: the public suffix plus one label (``contoso.co.jp``, not ``co.jp``).

    A domain that is itself a public suffix (or a bare label) is its own
    organizational domain, as the RFC's step 4 leaves it.
    """
    name = domain.lower().rstrip(".")
    if len(name) > LONGEST_DOMAIN:
        return _private_suffix(name)
    return _cached_private_suffix(name)


def _private_suffix(name: str) -> str:
    return _public_suffix_list().privatesuffix(name) or name


_cached_private_suffix = lru_cache(maxsize=ORG_DOMAIN_CACHE)(_private_suffix)


def spf_aligned(mailfrom_domain: str, from_domain: str, mode: Literal["r", "s"]) -> bool:
    a, b = mailfrom_domain.lower().rstrip("."), from_domain.lower().rstrip(".")
    if mode == "s":
        return a == b
    return organizational_domain(a) == organizational_domain(b)


@dataclass(frozen=True)
class DmarcResult:
    result: DmarcVerdict
    action: DmarcAction
    policy: DmarcPolicy | None
    header_from: str | None


def evaluate_dmarc(
    spf_result: SpfResult,
    from_domain: str | None,
    record: str | None,
    lookup_error: bool = False,
    rng: random.Random | None = None,
) -> DmarcResult:
    """DMARC with SPF as the only authenticator (no DKIM). ``rng`` draws the pct sample."""
    if not from_domain:
        return DmarcResult("none", "none", None, None)
    if lookup_error:
        return DmarcResult("temperror", "temperror", None, from_domain)
    aligned = spf_result.result == "pass" and spf_aligned(spf_result.domain, from_domain, "r")
    if record is None:
        return DmarcResult("bestguesspass" if aligned else "none", "none", None, from_domain)
    try:
        policy = parse_dmarc(record)
    except DmarcSyntaxError:
        return DmarcResult("permerror", "permerror", None, from_domain)
    if spf_result.result == "pass" and spf_aligned(spf_result.domain, from_domain, policy.aspf):
        return DmarcResult("pass", "none", policy, from_domain)
    is_sub = organizational_domain(from_domain) != from_domain.lower()
    applied = (policy.sp or policy.p) if is_sub else policy.p
    if applied == "none":
        return DmarcResult("fail", "none", policy, from_domain)
    sampled = policy.pct >= 100 or (rng or random.Random(0)).randrange(100) < policy.pct
    if applied == "reject":
        # Microsoft 365 does not reject on DMARC: override reject, mark as spam (documented).
        return DmarcResult("fail", "oreject" if sampled else "pct.reject", policy, from_domain)
    return DmarcResult("fail", "quarantine" if sampled else "pct.quarantine", policy, from_domain)


@dataclass(frozen=True)
class Compauth:
    result: CompauthVerdict
    reason: str


def composite_auth(
    dmarc: DmarcResult, own_domain: bool, connector: Literal["OnPremises", "Partner"] | None = None
) -> Compauth:
    """compauth from the DMARC outcome; ``own_domain``: the From domain is an accepted domain."""
    if connector == "OnPremises":
        return Compauth("none", REASON_BYPASSED)
    if dmarc.header_from is None:
        return Compauth("none", REASON_NOT_CHECKED)
    if dmarc.result == "pass":
        return Compauth("pass", REASON_PASS)
    if dmarc.result == "bestguesspass":
        return Compauth("pass", REASON_BESTGUESS)
    if dmarc.action in ("oreject", "quarantine"):
        return Compauth("fail", REASON_INTRAORG_DMARC if own_domain else REASON_EXPLICIT_FAIL)
    return Compauth("fail", REASON_INTRAORG_IMPLICIT if own_domain else REASON_IMPLICIT_FAIL)
