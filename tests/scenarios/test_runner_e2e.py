"""End to end: real labs, real device simulator, real sockets; and a broken rule is caught.

A handful of representative scenarios run through the same runner as
`exolab run`; the full catalog is `make catalog`, not a pytest test.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from exolab.scenarios.loader import ScenarioFile, find_scenario, load_scenario_file
from exolab.scenarios.messages import Lang
from exolab.scenarios.runner import RunOptions, run_all, run_scenario

REPRESENTATIVE = (
    "tenant-disabled",
    "tls10-submission",
    "tls10-legacy-not-opted-in",
    "plain-only",
    "fixed-465",
    "header-from-not-login",
)

TENANT_OFF = """
id = "alice-tenant-off"
title = "Alice with the tenant switch off"
demonstrates = "Tenant SMTP AUTH off refuses alice."
source = "https://github.com/simonrob/email-oauth2-proxy/issues/193"
fix = "enable_mailbox_smtp_auth"
recipients = ["bob@contoso.com"]

[device]
profile = "xerox-strict-login"

[device.settings]
server = "smtp.office365.com"
port = 587
security = "starttls"
sender = "alice@contoso.com"
username = "alice@contoso.com"
password = "Alice-Pass-1"

[expect]
outcome = "rejected"
stage = "AUTH"
code = 535
enhanced = "5.7.139"
text = "disabled for the Tenant"
"""


async def test_representative_scenarios_behave_as_documented() -> None:
    items = [find_scenario(name) for name in REPRESENTATIVE]
    results = await run_all(items, RunOptions(jobs=3))
    failures = {
        r.id: [d.render() for d in r.differences] or r.error for r in results if not r.passed
    }
    assert failures == {}
    by_id = {r.id: r for r in results}
    tls10 = by_id["tls10-submission"].subject()
    assert tls10 is not None and tls10.tls_version == "1.0"
    assert by_id["tls10-submission"].failing_step is not None
    fixed465 = by_id["fixed-465"].subject()
    assert fixed465 is not None and fixed465.outcome == "timeout"


def _scenario(tmp_path: Path, text: str) -> ScenarioFile:
    path = tmp_path / "alice-tenant-off.toml"
    path.write_text(text, "utf-8")
    return load_scenario_file(path)


async def test_the_documented_refusal_passes_and_the_server_recorded_the_session(
    tmp_path: Path,
) -> None:
    result = await run_scenario(_scenario(tmp_path, TENANT_OFF))
    assert result.passed, [d.render() for d in result.differences]
    assert result.observation is not None and result.observation.sessions
    assert result.observation.stored == ()


async def test_breaking_the_rule_in_the_emulator_fails_with_a_readable_difference(
    tmp_path: Path,
) -> None:
    # The lab no longer refuses (the tenant switch is flipped behind the scenario's back):
    # the documented 5.7.139 does not happen and the runner must say so, readably.
    broken = RunOptions(
        extra_overrides=(("TransportConfig.SmtpClientAuthenticationDisabled", False),)
    )
    result = await run_scenario(_scenario(tmp_path, TENANT_OFF), broken)
    assert result.status == "failed"
    text = "\n".join(d.render() for d in result.differences)
    assert "outcome: expected rejected, got delivered (250 2.0.0 OK <" in text
    assert "stage: expected AUTH, got EOD" in text
    assert "enhanced code: expected 5.7.139, got 2.0.0" in text


async def test_a_rule_removed_from_the_emulator_code_fails_its_scenario(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Drop the send-as rule from the submission MAIL restrictions: its scenario must say so."""
    from exolab.emulator.policy import sender, submission

    without = tuple(r for r in submission.MAIL_RULES if r is not sender.envelope_sender_allowed)
    assert len(without) == len(submission.MAIL_RULES) - 1
    monkeypatch.setattr(submission, "MAIL_RULES", without)
    result = await run_scenario(find_scenario("envelope-sender-not-login"), RunOptions())
    assert result.status == "failed"
    rendered = "\n".join(d.render() for d in result.differences)
    # the header-From check at end of data still refuses, but not where the scenario says
    assert "stage: expected MAIL, got EOD (554 5.2.252 SendAsDenied" in rendered
    assert "enhanced code: expected 5.7.60, got 5.2.252" in rendered


async def test_a_changed_reply_wording_is_caught(tmp_path: Path) -> None:
    item = find_scenario("wrong-password")
    broken = RunOptions(extra_overrides=(("Lab.WrongPasswordReply", "5.7.139"),))
    result = await run_scenario(item, broken)
    assert result.status == "failed"
    rendered = [d.render() for d in result.differences]
    assert any(
        r.startswith("enhanced code: expected 5.7.3, got 5.7.139 (535 5.7.139 Authentication")
        for r in rendered
    ), rendered


async def test_a_lab_that_cannot_start_is_an_error_not_a_crash(tmp_path: Path) -> None:
    item = find_scenario("plain-only")
    broken = RunOptions(extra_overrides=(("Lab.AddressRange", "10.255.255.0/24"),))
    result = await run_scenario(item, broken)
    assert result.status == "error" and result.error


def test_runs_concurrently_in_separate_labs() -> None:
    item = find_scenario("plain-only")
    results = asyncio.run(run_all([item, item, item], RunOptions(jobs=3)))
    assert [r.passed for r in results] == [True, True, True]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_explain_cli(lang: Lang, capsys: pytest.CaptureFixture[str]) -> None:
    from exolab.cli import main

    assert main(["explain", "tenant-disabled", "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert "535 5.7.139" in out and ">>" in out
    assert ("認証済み SMTP" in out) if lang == "ja" else ("Set-CASMailbox" in out)
    scenario = find_scenario("tenant-disabled").scenario
    assert f"{scenario.title.get(lang)} (tenant-disabled)" in out
    assert scenario.demonstrates.get(lang) in out
    if lang == "ja":  # the Japanese title and rule, not the English ones
        assert "テナントで SMTP AUTH をオフ" in out and scenario.title.en not in out


def test_run_cli_writes_reports_and_exits_by_outcome(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from exolab.cli import main

    good = _scenario(tmp_path, TENANT_OFF).path
    bad = tmp_path / "bad" / "alice-tenant-off-wrong.toml"
    bad.parent.mkdir()
    bad.write_text(
        TENANT_OFF.replace('"alice-tenant-off"', '"alice-tenant-off-wrong"').replace(
            'enhanced = "5.7.139"', 'enhanced = "5.7.3"'
        ),
        "utf-8",
    )
    reports = {flag: tmp_path / f"r.{flag}" for flag in ("json", "junit", "html")}
    args = ["run", str(good), str(bad), "--quiet", "--jobs", "2"]
    for flag, path in reports.items():
        args += [f"--{flag}", str(path)]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "enhanced code: expected 5.7.3, got 5.7.139" in out
    assert all(p.stat().st_size > 0 for p in reports.values())
    assert main(["run", str(good), "--quiet"]) == 0
    assert main(["run", str(tmp_path / "absent.toml")]) == 2
