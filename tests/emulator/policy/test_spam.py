"""The spam verdict on its own: Hypothesis over SPF/DMARC result combinations and settings."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from exolab.emulator.policy.authresults import (
    SPF_VERDICTS,
    SpfResult,
    composite_auth,
    evaluate_dmarc,
)
from exolab.emulator.policy.spam import FOLDER_SEVERITY, SERVICE_SCLS, folder_for, spam_verdict
from exolab.emulator.tenant.model import SpamFilter

RECORDS = [None, "v=DMARC1; p=none", "v=DMARC1; p=quarantine", "v=DMARC1; p=reject", "bogus"]
spf_verdicts = st.sampled_from(SPF_VERDICTS)
records = st.sampled_from(RECORDS)
scl_values = st.sampled_from(sorted(SERVICE_SCLS - {-1}))


@st.composite
def spam_filters(draw: st.DrawFn) -> SpamFilter:
    """Tenant settings that use only service SCLs and keep pass no worse than any failure."""
    passing = draw(st.sampled_from([-1, 0, 1]))
    no_better = scl_values.filter(lambda v: v >= passing)
    others = {
        name: draw(no_better)
        for name in (
            "SclSpfNeutral",
            "SclSpfNone",
            "SclSpfSoftfail",
            "SclSpfFail",
            "SclSpfError",
            "SclDmarcReject",
        )
    }
    return SpamFilter.model_validate(
        {
            "SclSpfPass": passing,
            "JunkThreshold": draw(st.sampled_from([5, 6])),
            "HighConfidenceThreshold": draw(st.sampled_from([6, 9])),
            "HighConfidenceAction": draw(st.sampled_from(["Junk", "Quarantine"])),
            **others,
        }
    )


def verdict(settings: SpamFilter, spf: str, record: str | None, own: bool = True):  # type: ignore[no-untyped-def]
    result = SpfResult(spf, "contoso.com")  # type: ignore[arg-type]
    dmarc = evaluate_dmarc(result, "contoso.com", record)
    return spam_verdict(settings, result, dmarc, composite_auth(dmarc, own))


def test_default_mapping() -> None:
    default = SpamFilter()
    assert (
        verdict(default, "pass", "v=DMARC1; p=none").scl,
        verdict(default, "pass", None).folder,
    ) == (
        1,
        "Inbox",
    )
    failed = verdict(default, "fail", "v=DMARC1; p=none")
    assert (failed.scl, failed.folder, failed.sfv, failed.cat) == (6, "Junk Email", "SPM", "SPOOF")
    assert verdict(default, "softfail", None).folder == "Junk Email"
    assert verdict(default, "none", None).scl == 5


@given(settings=spam_filters(), spf=spf_verdicts, record=records, own=st.booleans())
def test_scl_is_a_service_value_and_the_folder_follows_the_thresholds(
    settings: SpamFilter, spf: str, record: str | None, own: bool
) -> None:
    v = verdict(settings, spf, record, own)
    assert v.scl in SERVICE_SCLS
    assert v.folder == folder_for(settings, v.scl)
    if v.scl < settings.junk_threshold:
        assert v.folder == "Inbox" and v.sfv == "NSPM" and v.cat == "NONE"
    else:
        assert v.folder != "Inbox" and v.sfv == "SPM"
    if v.folder == "Quarantine":
        assert settings.high_confidence_action == "Quarantine"
        assert v.scl >= settings.high_confidence_threshold


@given(settings=spam_filters(), worse=spf_verdicts, record=records)
def test_pass_is_never_worse_than_anything_else(
    settings: SpamFilter, worse: str, record: str | None
) -> None:
    good = verdict(settings, "pass", record)
    other = verdict(settings, worse, record)
    assert good.scl <= other.scl
    assert FOLDER_SEVERITY[good.folder] <= FOLDER_SEVERITY[other.folder]


@given(settings=spam_filters(), spf=spf_verdicts)
def test_a_stricter_dmarc_policy_never_improves_the_verdict(settings: SpamFilter, spf: str) -> None:
    ladder = [verdict(settings, spf, r) for r in RECORDS[1:4]]
    scls = [v.scl for v in ladder]
    assert scls == sorted(scls)


def test_onpremises_connector_mail_is_intra_org() -> None:
    result = SpfResult("fail", "contoso.com")
    dmarc = evaluate_dmarc(result, "contoso.com", "v=DMARC1; p=reject")
    v = spam_verdict(
        SpamFilter(), result, dmarc, composite_auth(dmarc, True, "OnPremises"), "OnPremises"
    )
    assert (v.scl, v.folder, v.sfv) == (-1, "Inbox", "SKI")


def test_high_confidence_can_quarantine() -> None:
    settings = SpamFilter(scl_spf_fail=9, high_confidence_action="Quarantine")
    v = verdict(settings, "fail", None)
    assert (v.scl, v.folder, v.cat) == (9, "Quarantine", "HSPM")
