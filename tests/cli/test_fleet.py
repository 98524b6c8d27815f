"""`exolab fleet` as a real process against a running `exolab serve` with a fault rule."""

from __future__ import annotations

import json
import signal
from pathlib import Path

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
