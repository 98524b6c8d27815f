"""`exolab fault add|list|clear` as real processes against a running `exolab serve`."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from exolab.cli import build_parser
from exolab.cli.common import UsageError
from exolab.cli.fault import rule_from_args
from tests.cli.processes import ROOT, exolab, one_error_line, start_serve
from tests.cli.test_running_lab import SEND

FAST = ROOT / "scenarios" / "device_profiles" / "retry-resend-fast.toml"


def test_fault_add_as_written_then_list_send_sessions_and_clear(tmp_path: Path) -> None:
    data = tmp_path / "lab-data"
    serve, ready = start_serve(data, "--ephemeral-ports")
    try:
        assert ready.startswith("exolab ready:"), serve.stderr.read() if serve.stderr else ""
        added = exolab(
            "fault",
            "add",
            "--data",
            str(data),
            "--stage",
            "eod",
            "--reply",
            "4.7.500",
            "--count",
            "1",
        )
        assert added.returncode == 0, added.stderr
        assert added.stdout.startswith("added fault fault-1: at eod: reply 4.7.500 count=1")

        first = json.loads(exolab(*SEND, "--data", str(data), "--json").stdout)
        second = json.loads(exolab(*SEND, "--data", str(data), "--json").stdout)
        assert first["outcome"] != "delivered" and "4.7.500" in json.dumps(first)
        assert second["outcome"] == "delivered"

        [rule] = json.loads(exolab("fault", "list", "--data", str(data), "--json").stdout)
        assert (rule["Name"], rule["Fired"], rule["Stage"], rule["Count"]) == (
            "fault-1",
            1,
            "eod",
            1,
        )
        listing = exolab("fault", "list", "--data", str(data)).stdout
        assert "fault-1" in listing and "reply 4.7.500" in listing

        sessions = json.loads(exolab("sessions", "--data", str(data), "--json").stdout)
        fired = [s["faults"] for s in sessions if s["faults"]]
        assert [[f["name"] for f in found] for found in fired] == [["fault-1"]]
        table = exolab("sessions", "--data", str(data)).stdout
        assert "refused: 451 4.7.500 (fault:fault-1)" in table
        refused = next(s["id"] for s in sessions if s["faults"])
        detail = exolab("sessions", str(refused), "--data", str(data)).stdout
        assert "note      fault fault-1: reply 4.7.500 at eod (firing 1)" in detail

        bad = exolab("fault", "add", "--data", str(data), "--stage", "eod", "--reply", "4.9.99")
        assert (
            bad.returncode == 2
            and "no catalog reply has enhanced code 4.9.99" in one_error_line(bad, "fault")
        )

        lost = ["--stage", "eod", "--action", "lose_250", "--seconds", "0.3", "--count", "1"]
        assert exolab("fault", "add", "--data", str(data), "--name", "lost", *lost).returncode == 0
        retrying = ["send", "--profile-file", str(FAST), *SEND[3:]]
        sent = exolab(*retrying, "--data", str(data), "--json")
        document = json.loads(sent.stdout)
        assert document["outcome"] == "delivered" and document["attempts"] == 2, sent.stderr
        assert [(a["attempt"], a["outcome"], a["stage"]) for a in document["attempt_log"]] == [
            (1, "gave_up", "EOD"),
            (2, "delivered", "EOD"),
        ]
        assert document["attempt_log"][1]["reply"]["code"] == 250
        assert document["delivered_copies"] == 2, "the lost 250 made a duplicate"

        cleared = exolab("fault", "clear", "--data", str(data))
        assert cleared.returncode == 0 and cleared.stdout.strip() == "removed 2 fault rule(s)"
        assert exolab("fault", "list", "--data", str(data)).stdout.strip() == "no fault rules"
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.communicate(timeout=20)


def _rule(*argv: str) -> dict[str, object]:
    args = build_parser().parse_args(["fault", "add", "--stage", "mail", *argv])
    return rule_from_args(args)


def test_profile_match_is_the_ehlo_name_the_profile_sends() -> None:
    assert _rule("--profile", "xerox-strict-login", "--reply", "4.7.500")["Ehlo"] == "XC-B8C463"
    assert _rule("--ehlo", "MFP-*", "--reply", "4.7.500")["Ehlo"] == "MFP-*"
    with pytest.raises(UsageError, match="greets with its bare-ip"):
        _rule("--profile", "bare-ip-ehlo")
    with pytest.raises(UsageError, match="give one of them"):
        _rule("--profile", "xerox-strict-login", "--ehlo", "x")
    alert = _rule("--action", "tls_alert", "--alert", "internal_error")
    assert (alert["Action"], alert["Alert"]) == ("tls_alert", "internal_error")


BRANCH_BUSY = """
# the 3rd message from the branch site gets 451 4.7.500 at end of data
[[Fault]]
Name = "branch-busy"
Stage = "eod"
Site = "branch"
Reply = "4.7.500"
After = 2
Count = 1
"""


def test_one_tenant_file_refuses_the_third_branch_message_and_the_device_retries(
    tmp_path: Path,
) -> None:
    tenant = tmp_path / "tenant.toml"
    default = (ROOT / "emulator" / "tenant" / "default.toml").read_text("utf-8")
    tenant.write_text(default + BRANCH_BUSY, "utf-8")
    data = tmp_path / "lab-data"
    serve, ready = start_serve(data, "--ephemeral-ports", "--tenant", str(tenant))
    try:
        assert ready.startswith("exolab ready:"), serve.stderr.read() if serve.stderr else ""
        send = ["send", "--data", str(data), "--profile-file", str(FAST), *SEND[3:], "--json"]
        office = json.loads(exolab(*send).stdout)  # not the branch: not counted
        branch = [json.loads(exolab(*send, "--site", "branch").stdout) for _ in range(3)]
        assert office["attempts"] == 1
        assert [b["attempts"] for b in branch] == [1, 1, 2]
        refused, delivered = branch[2]["attempt_log"]
        assert (refused["outcome"], refused["stage"]) == ("rejected", "EOD")
        assert refused["reply"]["code"] == 451 and refused["reply"]["enhanced"] == "4.7.500"
        assert delivered["outcome"] == "delivered"
        assert (branch[2]["delivered_copies"], branch[2]["job"]) == (1, "sent")
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.communicate(timeout=20)
