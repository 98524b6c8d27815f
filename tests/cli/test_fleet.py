"""`exolab fleet` as a real process against a running `exolab serve` with a fault rule."""

from __future__ import annotations

import gc
import json
import signal
import subprocess
from pathlib import Path

import pytest

from exolab.cli.common import UsageError
from exolab.cli.fleet import _settled_heap, device_user, parse_duration, schedule
from tests.cli.processes import ROOT, exolab, start_serve

FAST = ROOT / "scenarios" / "device_profiles" / "retry-resend-fast.toml"
SETTINGS = [
    "--set", "server=smtp.office365.com", "--set", "username=scanner@contoso.com",
    "--set", "password=Scan-2-Mail!", "--to", "alice@contoso.com", "--site", "office",
]  # fmt: skip


def test_fleet_counts_outcomes_attempts_and_duplicates(tmp_path: Path) -> None:
    data = tmp_path / "lab-data"
    serve, ready = start_serve(data, "--ephemeral-ports")
    try:
        assert ready.startswith("exolab ready:"), serve.stderr.read() if serve.stderr else ""
        lost = ["--stage", "eod", "--action", "lose_250", "--seconds", "0.3", "--count", "2"]
        assert exolab("fault", "add", "--data", str(data), *lost).returncode == 0
        # three devices: the demo mailbox takes three concurrent submissions (432 4.3.2 beyond)
        fleet = exolab(
            "fleet", "--data", str(data), "--devices", "3", "--profile", f"{FAST}=1",
            *SETTINGS, "--json",
        )  # fmt: skip
        assert fleet.returncode == 0, fleet.stderr
        report = json.loads(fleet.stdout)
        assert (report["devices"], report["outcomes"]) == (3, {"delivered": 3})
        # two sessions lost their 250: both devices resent, and each job arrived twice
        assert (report["attempts"], report["duplicates"]) == (5, 2)
        assert set(report["latency"]) == {"p50", "p90", "p99", "max"}
        mix = exolab("fleet", "--data", str(data), "--devices", "1", "--profile", "x=0", *SETTINGS)
        assert mix.returncode == 2 and "the weight must be above 0" in mix.stderr
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.communicate(timeout=20)


DIRECT = [
    "--set", "server=contoso-com.mail.protection.outlook.com", "--set", "port=25",
    "--set", "security=none", "--set", "sender=scanner@contoso.com",
    "--to", "alice@contoso.com", "--site", "office", "--job", "size=1KB",
]  # fmt: skip
"""Direct send in plain text with a small scan: the cheapest complete scan the lab takes."""

PATIENT = """
[timeouts]
dns = 120.0
connect = 120.0
banner = 120.0
reply = 120.0
data = 120.0
"""
"""A thousand devices arriving at once queue at a 2-core lab: they wait as long as it takes."""

RETRY = """
[retry]
count = 2
interval = 0.1
on_timeout = true
on_connection_lost = true
resend_after_data = true
"""

LOST = 3
"""Draws below 0.02 among the first 200 + LOST of ``random.Random("1:fault:fault-1")``: the
stream of the rule fault-1 in a lab of the default ``Lab.Seed`` 1."""


def _direct_profile(tmp_path: Path, name: str, extra: str) -> Path:
    """The shipped direct-send profile with ``extra`` sections (a file of the test's own)."""
    shipped = (ROOT / "devices" / "profiles" / "no-auth.toml").read_text("utf-8")
    path = tmp_path / f"{name}.toml"
    path.write_text(shipped.replace('name = "no-auth"', f'name = "{name}"') + extra, "utf-8")
    return path


def _serve_for_fleets(data: Path) -> subprocess.Popen[str]:
    # every device of the office site connects from one source address: lift its cap
    serve, ready = start_serve(
        data, "--ephemeral-ports", "--set", "Limits.MaxInboundConnectionPerSource=5000"
    )
    assert ready.startswith("exolab ready:"), serve.stderr.read() if serve.stderr else ""
    return serve


def test_a_thousand_devices_run_to_completion(tmp_path: Path) -> None:
    data = tmp_path / "lab-data"
    serve = _serve_for_fleets(data)
    try:
        profile = _direct_profile(tmp_path, "patient-direct", PATIENT)
        fleet = exolab(
            "fleet", "--data", str(data), "--devices", "1000", "--profile", str(profile),
            *DIRECT, "--json", timeout=600,
        )  # fmt: skip
        assert fleet.returncode == 0, fleet.stderr
        assert fleet.stderr == ""  # no progress line when stderr is not a terminal
        report = json.loads(fleet.stdout)
        assert (report["devices"], report["scans"]) == (1000, 1000)
        assert report["outcomes"] == {"delivered": 1000}
        assert (report["attempts"], report["duplicates"]) == (1000, 0)
        stages = report["stages"]
        assert list(stages) == ["dns", "connect", "ehlo", "mail", "rcpt", "data", "eod", "quit"]
        assert all(s["n"] == 1000 and s["p50"] <= s["p99"] <= s["max"] for s in stages.values())
        rss = report["rss"]
        assert 0 < rss["before_kib"] <= rss["peak_kib"] and 0 < rss["after_kib"] <= rss["peak_kib"]
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.communicate(timeout=60)


def test_two_percent_of_sessions_losing_their_250(tmp_path: Path) -> None:
    """The vendor's question: 2 % of sessions fail at end of data; what does the fleet lose?"""
    data = tmp_path / "lab-data"
    serve = _serve_for_fleets(data)
    try:
        rule = ["--stage", "eod", "--action", "lose_250", "--seconds", "0.1"]
        added = exolab("fault", "add", "--data", str(data), *rule, "--probability", "0.02")
        assert added.returncode == 0, added.stderr
        profile = _direct_profile(tmp_path, "retrying-direct", PATIENT + RETRY)
        fleet = exolab(
            "fleet", "--data", str(data), "--devices", "200", "--profile", str(profile),
            *DIRECT, "--json", timeout=300,
        )  # fmt: skip
        assert fleet.returncode == 0, fleet.stderr
        report = json.loads(fleet.stdout)
        # The rule's stream is seeded from Lab.Seed and its name: of the 200 sessions and
        # the resends they cause, the same ones lose their 250 on every run. Each such
        # device resent its job: one more attempt and one more stored copy each.
        assert report["outcomes"] == {"delivered": 200}
        assert (report["attempts"], report["duplicates"]) == (200 + LOST, LOST)
        listing = exolab("fault", "list", "--data", str(data), "--json")
        assert json.loads(listing.stdout)[0]["Fired"] == LOST
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.communicate(timeout=60)


def test_duration_deals_scans_at_the_rate_to_every_device_in_turn() -> None:
    # 600 scans a minute for 1 s: ten starts 0.1 s apart, three devices taking turns
    scans = schedule(3, 600, parse_duration("1s"))
    assert [s.at for s in scans] == pytest.approx([i / 10 for i in range(10)])
    assert [s.device for s in scans] == [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]
    assert [s.device for s in schedule(3, None, None)] == [0, 1, 2]
    assert parse_duration("5m") == 300 and parse_duration("90") == 90
    with pytest.raises(UsageError, match="a time above 0"):
        parse_duration("soon")
    assert device_user("scan{n:03}@contoso.com", 2, 4) == "scan001@contoso.com"


def _scan_mailboxes(count: int) -> list[str]:
    """``--set`` items that give the tenant licensed mailboxes scan001 … with SMTP AUTH on."""
    items = []
    for n in range(1, count + 1):
        box = f"Mailbox[scan{n:03}@contoso.com]"
        for setting in ("Password=Scan-2-Mail!", "Licensed=true"):
            items += ["--set", f"{box}.{setting}"]
        items += ["--set", f"{box}.SmtpClientAuthenticationDisabled=false"]
    return items


def test_user_pattern_spreads_devices_over_mailboxes(tmp_path: Path) -> None:
    data = tmp_path / "lab-data"
    serve, ready = start_serve(data, "--ephemeral-ports", *_scan_mailboxes(2))
    try:
        assert ready.startswith("exolab ready:"), serve.stderr.read() if serve.stderr else ""
        common = [
            "fleet", "--data", str(data), "--devices", "6", "--profile", "starttls-modern",
            "--set", "server=smtp.office365.com", "--set", "password=Scan-2-Mail!",
            "--to", "alice@contoso.com", "--site", "office", "--job", "size=1KB", "--json",
        ]  # fmt: skip
        spread = exolab(*common, "--user-pattern", "scan{n:03}@contoso.com", "--users", "2")
        assert spread.returncode == 0, spread.stderr
        report = json.loads(spread.stdout)
        # three concurrent submissions per mailbox: six devices on two mailboxes all pass
        assert report["outcomes"] == {"delivered": 6}
        assert set(report["stages"]) >= {"starttls", "tls", "auth"}
        bad = exolab(*common, "--user-pattern", "scan{x}@contoso.com")
        assert bad.returncode == 2 and "use {n} for the number" in bad.stderr
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.communicate(timeout=20)


def test_the_fleet_run_keeps_its_build_out_of_full_collections_and_gives_it_back() -> None:
    assert gc.get_freeze_count() == 0
    with _settled_heap():
        assert gc.get_freeze_count() > 0  # what existed before the run: out of the passes
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), _settled_heap():
        raise RuntimeError("a fleet that fails still leaves the heap collectable")
    assert gc.get_freeze_count() == 0
