"""The spam verdict for inbound (direct send / MX) mail: authentication results → SCL → folder.

Pure. Microsoft documents what each SCL means and where it lands by default
(SCL -1, 0, 1 → Inbox; 5, 6 → Junk Email; 9 → Junk Email or quarantine, per
policy; 2, 3, 4, 7, 8 are not set by the service). It does not document a
fixed mapping from SPF/DMARC results to an SCL ("it depends on the filtering
verdict and on spoof intelligence"), so that mapping is CHOSEN and lives in
the tenant as ``[SpamFilter]``; docs/guide/direct-send.md has the table.

Rules, in order (each CHOSEN unless marked):
1. mail attributed to an OnPremises inbound connector is intra-organization
   mail: SFV:SKI, SCL -1, Inbox;
2. the SCL for the SPF result (``SclSpfPass``, ``SclSpfFail`` …);
3. a DMARC failure whose policy Microsoft overrides (``action=oreject``) or
   applies (``quarantine``) raises it to at least ``SclDmarcReject``
   (documented: oreject "marks the message as spam");
4. SCL >= ``HighConfidenceThreshold`` → ``HighConfidenceAction`` (Junk or
   Quarantine), SCL >= ``JunkThreshold`` → Junk Email, else Inbox
   (documented defaults).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from exolab.emulator.policy.authresults import Compauth, DmarcResult, SpfResult
from exolab.emulator.tenant.model import SpamFilter

Folder = Literal["Inbox", "Junk Email", "Quarantine"]
SERVICE_SCLS = frozenset({-1, 0, 1, 5, 6, 9})
"""The SCL values the service sets (spam confidence level doc)."""
FOLDER_SEVERITY: dict[Folder, int] = {"Inbox": 0, "Junk Email": 1, "Quarantine": 2}


@dataclass(frozen=True)
class SpamVerdict:
    """What filtering decided, with the X-Forefront-Antispam-Report codes that say so."""

    scl: int
    folder: Folder
    sfv: str
    """NSPM, SPM or SKI (anti-spam message headers doc)."""
    cat: str
    """NONE, SPM, HSPM or SPOOF."""
    reason: str
    """One line for the session log: which rule set the SCL."""


def spf_scl(settings: SpamFilter, spf: SpfResult) -> int:
    return {
        "pass": settings.scl_spf_pass,
        "fail": settings.scl_spf_fail,
        "softfail": settings.scl_spf_softfail,
        "neutral": settings.scl_spf_neutral,
        "none": settings.scl_spf_none,
        "temperror": settings.scl_spf_error,
        "permerror": settings.scl_spf_error,
    }[spf.result]


def folder_for(settings: SpamFilter, scl: int) -> Folder:
    if scl < 0 or scl < settings.junk_threshold:
        return "Inbox"
    if scl >= settings.high_confidence_threshold:
        return "Quarantine" if settings.high_confidence_action == "Quarantine" else "Junk Email"
    return "Junk Email"


def spam_verdict(
    settings: SpamFilter,
    spf: SpfResult,
    dmarc: DmarcResult,
    compauth: Compauth,
    connector: Literal["OnPremises", "Partner"] | None = None,
) -> SpamVerdict:
    """The SCL and folder for one inbound message."""
    if connector == "OnPremises":
        return SpamVerdict(-1, "Inbox", "SKI", "NONE", "OnPremises connector: intra-organization")
    scl = spf_scl(settings, spf)
    reason = f"spf={spf.result} -> SCL {scl}"
    if dmarc.action in ("oreject", "quarantine") and scl < settings.scl_dmarc_reject:
        scl = settings.scl_dmarc_reject
        reason += f"; dmarc=fail action={dmarc.action} -> SCL {scl}"
    folder = folder_for(settings, scl)
    spam = folder != "Inbox"
    if not spam:
        cat = "NONE"
    elif scl >= settings.high_confidence_threshold:
        cat = "HSPM"
    elif compauth.result == "fail":
        cat = "SPOOF"
    else:
        cat = "SPM"
    return SpamVerdict(scl, folder, "SPM" if spam else "NSPM", cat, f"{reason} -> {folder}")
