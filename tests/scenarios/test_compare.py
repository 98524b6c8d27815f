"""compare(): each difference is named and shows expected vs. got with the reply line."""

from __future__ import annotations

from exolab.scenarios.model import Expect
from exolab.scenarios.result import Observation, compare
from exolab.scenarios.runner import failing_step, redact
from tests.scenarios.fakes import (
    EXPECT_TENANT,
    SESSION,
    STORED_JUNK,
    TENANT_OFF,
    delivered,
    rejected_at_auth,
)


def test_matching_observation_has_no_difference() -> None:
    assert compare(EXPECT_TENANT, Observation((rejected_at_auth(),), (), (SESSION,))) == []


def test_a_delivery_where_a_refusal_was_documented_reads_well() -> None:
    diffs = compare(EXPECT_TENANT, Observation((delivered(),)))
    rendered = [d.render() for d in diffs]
    assert rendered[0].startswith("outcome: expected rejected, got delivered (250 2.0.0 OK")
    assert any(r.startswith("stage: expected AUTH, got EOD") for r in rendered)
    assert any(r.startswith("enhanced code: expected 5.7.139, got 2.0.0") for r in rendered)


def test_other_wording_is_a_text_difference() -> None:
    wrong = TENANT_OFF.replace("Tenant", "Mailbox")
    diffs = compare(EXPECT_TENANT, Observation((rejected_at_auth(wrong),)))
    assert [d.what for d in diffs] == ["reply text"]
    assert "Mailbox" in diffs[0].got


def test_server_side_folder_scl_header_and_notes() -> None:
    expect = Expect(
        outcome="delivered",
        mailbox="alice@contoso.com",
        folder="Inbox",
        scl=1,
        headers=("spf=pass",),
        notes=("spf pass",),
    )
    diffs = {d.what: d for d in compare(expect, Observation((delivered(),), (STORED_JUNK,)))}
    assert diffs["stored in"].got == "alice@contoso.com/Junk Email"
    assert diffs["SCL"].got == "6"
    assert "spf=fail (sender IP is 198.51.100.20)" in diffs["header"].got
    assert diffs["session note"].got == "none"


def test_counts_for_parallel_attempts() -> None:
    expect = Expect(outcome="rejected", code=535, counts={"delivered": 3, "rejected": 1})
    observation = Observation((delivered(), delivered(), rejected_at_auth(), delivered()))
    assert compare(expect, observation) == []
    diffs = compare(expect, Observation((delivered(),) * 4))
    assert {d.what for d in diffs} >= {"outcome counts", "outcome"}


def test_failing_step_points_at_the_refusal() -> None:
    attempt = rejected_at_auth()
    index = failing_step(attempt)
    assert index is not None and attempt.transcript[index].line == TENANT_OFF
    assert failing_step(delivered()) is None


def test_redact_hides_sasl_answers_and_inline_responses() -> None:
    lines = redact(
        [
            (0, "C", "AUTH LOGIN"),
            (0, "S", "334 VXNlcm5hbWU6"),
            (0, "C", "c2Nhbm5lckBjb250b3NvLmNvbQ=="),
            (0, "S", "334 UGFzc3dvcmQ6"),
            (0, "C", "U2Nhbi0yLU1haWwh"),
            (0, "S", "235 2.7.0 Authentication successful"),
            (0, "C", "AUTH PLAIN AHNjYW5uZXI="),
            (0, "C", "MAIL FROM:<scanner@contoso.com>"),
        ]
    )
    assert [ln.line for ln in lines if ln.dir == "C"] == [
        "AUTH LOGIN",
        "****",
        "****",
        "AUTH PLAIN ****",
        "MAIL FROM:<scanner@contoso.com>",
    ]


def test_device_text_matches_the_panel_or_the_devices_own_notes() -> None:
    """A device-side outcome (gave_up) must also say why, or it could pass for any reason."""
    from exolab.scenarios.result import Attempt, Line

    said = (Line(0.0, "*", "token: invalid_grant (AADSTS65001): no consent"),)
    gave_up = Attempt("gave_up", "AUTH", None, None, "", "", None, "Token update failed.", said)
    expect = Expect(outcome="gave_up", stage="AUTH", device_text="aadsts65001")
    assert compare(expect, Observation((gave_up,))) == []
    other = Attempt("gave_up", "AUTH", None, None, "", "", None, "DNS error", ())
    [diff] = compare(expect, Observation((other,)))
    assert diff.render() == "device message: expected …aadsts65001…, got 'DNS error'"
