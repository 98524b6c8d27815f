"""DMARC parsing and alignment, and compauth composition (pure)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exolab.emulator.policy.authresults import (
    SPF_VERDICTS,
    DmarcSyntaxError,
    SpfResult,
    composite_auth,
    evaluate_dmarc,
    organizational_domain,
    parse_dmarc,
    spf_aligned,
)


def test_parse_dmarc_reads_the_tags_exolab_uses() -> None:
    policy = parse_dmarc("v=DMARC1; p=quarantine; sp=reject; pct=50; aspf=s; rua=mailto:x@y")
    assert (policy.p, policy.sp, policy.pct, policy.aspf) == ("quarantine", "reject", 50, "s")
    assert parse_dmarc("v=DMARC1;p=none").pct == 100
    assert parse_dmarc("v=DMARC1; p=reject; pct=900; sp=bogus").pct == 100
    assert parse_dmarc("v=DMARC1; p=reject; sp=bogus").sp is None


@pytest.mark.parametrize("text", ["p=reject", "v=DMARC1; p=maybe", "v=DMARC1", ""])
def test_bad_dmarc_records_are_syntax_errors(text: str) -> None:
    with pytest.raises(DmarcSyntaxError):
        parse_dmarc(text)


def test_alignment() -> None:
    assert organizational_domain("mail.eu.contoso.com") == "contoso.com"
    assert spf_aligned("mail.contoso.com", "contoso.com", "r")
    assert not spf_aligned("mail.contoso.com", "contoso.com", "s")
    assert not spf_aligned("fabrikam.com", "contoso.com", "r")


@pytest.mark.parametrize(
    ("domain", "org"),
    [
        ("contoso.co.jp", "contoso.co.jp"),
        ("scan.tokyo.contoso.co.jp", "contoso.co.jp"),
        ("Mail.Contoso.CO.JP.", "contoso.co.jp"),
        ("city.kawasaki.jp", "city.kawasaki.jp"),  # listed as an exception to *.kawasaki.jp
        ("contoso.com.au", "contoso.com.au"),
        ("co.jp", "co.jp"),  # a public suffix is its own organizational domain
        ("localhost", "localhost"),
    ],
)
def test_organizational_domain_uses_the_public_suffix_list(domain: str, org: str) -> None:
    assert organizational_domain(domain) == org


def test_japanese_second_level_domains_do_not_align_with_each_other() -> None:
    """Two labels would make every .co.jp company one organization: a spoof would align."""
    assert spf_aligned("scan.contoso.co.jp", "contoso.co.jp", "r")
    assert not spf_aligned("fabrikam.co.jp", "contoso.co.jp", "r")
    spoof = evaluate_dmarc(
        SpfResult("pass", "fabrikam.co.jp"), "contoso.co.jp", "v=DMARC1; p=reject"
    )
    assert (spoof.result, spoof.action) == ("fail", "oreject")
    # A subdomain's From gets the sp= policy of contoso.co.jp, not p=.
    sub = evaluate_dmarc(
        SpfResult("fail", "scan.contoso.co.jp"),
        "scan.contoso.co.jp",
        "v=DMARC1; p=reject; sp=quarantine",
    )
    assert sub.action == "quarantine"


def test_dmarc_outcomes() -> None:
    ok = SpfResult("pass", "contoso.com")
    bad = SpfResult("fail", "contoso.com")
    assert evaluate_dmarc(ok, "contoso.com", "v=DMARC1; p=none").result == "pass"
    assert evaluate_dmarc(ok, "contoso.com", None).result == "bestguesspass"
    assert evaluate_dmarc(bad, "contoso.com", None).result == "none"
    assert evaluate_dmarc(bad, "contoso.com", "v=DMARC1; p=none").action == "none"
    reject = evaluate_dmarc(bad, "contoso.com", "v=DMARC1; p=reject")
    assert (reject.result, reject.action) == ("fail", "oreject")
    assert evaluate_dmarc(bad, "contoso.com", "v=DMARC1; p=quarantine").action == "quarantine"
    assert evaluate_dmarc(bad, "contoso.com", "junk").result == "permerror"
    assert evaluate_dmarc(bad, "contoso.com", None, lookup_error=True).result == "temperror"
    # pass for fabrikam.com does not align with a contoso.com From
    spoof = evaluate_dmarc(SpfResult("pass", "fabrikam.com"), "contoso.com", "v=DMARC1; p=reject")
    assert spoof.result == "fail"


def test_pct_sampling_is_seeded() -> None:
    bad = SpfResult("fail", "contoso.com")
    record = "v=DMARC1; p=reject; pct=50"
    draws = [
        evaluate_dmarc(bad, "contoso.com", record, rng=random.Random(7)).action for _ in range(3)
    ]
    assert len(set(draws)) == 1
    actions = {
        evaluate_dmarc(bad, "contoso.com", record, rng=random.Random(i)).action for i in range(40)
    }
    assert actions == {"oreject", "pct.reject"}


def test_compauth_reasons_for_own_and_foreign_domains() -> None:
    bad = SpfResult("fail", "contoso.com")
    none_policy = evaluate_dmarc(bad, "contoso.com", "v=DMARC1; p=none")
    assert composite_auth(none_policy, own_domain=True) == composite_auth(none_policy, True)
    own = composite_auth(none_policy, own_domain=True)
    assert (own.result, own.reason[0]) == ("fail", "6")
    assert composite_auth(none_policy, own_domain=False).reason == "001"
    rejecting = evaluate_dmarc(bad, "contoso.com", "v=DMARC1; p=reject")
    assert composite_auth(rejecting, own_domain=True).reason == "010"
    assert composite_auth(rejecting, own_domain=False).reason == "000"
    good = evaluate_dmarc(SpfResult("pass", "contoso.com"), "contoso.com", "v=DMARC1; p=none")
    passed = composite_auth(good, own_domain=True)
    assert (passed.result, passed.reason[0]) == ("pass", "1")
    assert composite_auth(good, True, connector="OnPremises").result == "none"


@given(
    spf=st.sampled_from(SPF_VERDICTS),
    record=st.sampled_from(
        [None, "v=DMARC1; p=none", "v=DMARC1; p=quarantine", "v=DMARC1; p=reject", "x"]
    ),
    own=st.booleans(),
)
def test_compauth_is_always_a_documented_pair(spf: str, record: str | None, own: bool) -> None:
    dmarc = evaluate_dmarc(SpfResult(spf, "contoso.com"), "contoso.com", record)  # type: ignore[arg-type]
    result = composite_auth(dmarc, own)
    assert len(result.reason) == 3 and result.reason.isdigit()
    first = result.reason[0]
    if result.result == "pass":
        assert first in "17"
    elif result.result == "fail":
        assert result.reason in ("000", "001", "002", "010") or first == "6"
        assert (first == "6" or result.reason == "010") == own
    # DMARC pass implies compauth pass; compauth pass implies SPF pass (no DKIM here)
    assert (dmarc.result in ("pass", "bestguesspass")) == (result.result == "pass")
    assert result.result != "pass" or spf == "pass"
