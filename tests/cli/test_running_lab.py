"""Commands against a running lab: pure JSON on stdout, and one line at once when no lab runs.

A lab that is not running used to look like a device timeout half a minute
later (the device waited for a DNS server that never answered, exit 1). Now
`exolab send` says so before the device starts: exit 2, "no lab running at DIR".
"""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

from tests.cli.processes import exolab, one_error_line, start_serve

SEND = [
    "send", "--profile", "starttls-modern", "--set", "server=smtp.office365.com",
    "--set", "username=scanner@contoso.com", "--set", "password=Scan-2-Mail!",
    "--to", "alice@contoso.com", "--site", "office",
]  # fmt: skip


def assert_no_lab(proc: subprocess.CompletedProcess[str], data: Path, why: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    line = one_error_line(proc, "send")
    assert line.startswith(f"exolab send: no lab running at {data} ("), line
    assert why in line and f"serve --data {data}" in line
    assert proc.stdout == ""


def test_send_without_a_lab_fails_at_once(tmp_path: Path) -> None:
    data = tmp_path / "lab-data"
    proc = exolab(*SEND, "--data", str(data))
    assert_no_lab(proc, data, "endpoints.json: not found")


def test_json_is_pure_then_a_killed_lab_is_no_lab(tmp_path: Path) -> None:
    data = tmp_path / "lab-data"
    serve, ready = start_serve(data, "--ephemeral-ports")
    try:
        assert ready.startswith("exolab ready:"), serve.stderr.read() if serve.stderr else ""
        sent = exolab(*SEND, "--data", str(data), "--json")
        assert json.loads(sent.stdout)["outcome"] == "delivered", sent.stderr
        for argv in (
            ["messages", "--json"],
            ["sessions", "--json"],
            ["apps", "--json"],
            ["signin", "--list", "--json"],
        ):
            proc = exolab(*argv, "--data", str(data))
            assert proc.returncode == 0, (argv, proc.stderr)
            json.loads(proc.stdout)  # nothing but the document on stdout
        apps = json.loads(exolab("apps", "--json", "--data", str(data)).stdout)
        # the lab's token went with the read: the running lab shows its secrets to its owner
        assert "lab-secret-Xk7~scan.app" in [app["ClientSecret"] for app in apps["App"]]
    finally:
        serve.send_signal(signal.SIGKILL)
        serve.communicate(timeout=20)
    assert (data / "endpoints.json").exists()  # left behind: kill -9 gives no chance to clean up
    proc = exolab(*SEND, "--data", str(data))
    assert_no_lab(proc, data, "endpoints.json is stale")
