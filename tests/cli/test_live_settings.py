"""`exolab set`, `exolab admin` and `exolab console` against a running lab (a real process)."""

from __future__ import annotations

import signal
from pathlib import Path

from exolab.labclient import LabClient
from tests.cli.processes import exolab, one_error_line, start_serve

KEY = "Mailbox[alice@contoso.com].SmtpClientAuthenticationDisabled"


def test_set_admin_and_console_change_and_open_a_running_lab(tmp_path: Path) -> None:
    data = tmp_path / "lab-data"
    serve, ready = start_serve(data, "--ephemeral-ports", "--as-of", "2026-06-01")
    try:
        assert ready.startswith("exolab ready:"), serve.stderr.read() if serve.stderr else ""
        client = LabClient.open(data)

        proc = exolab("set", "TransportConfig.AllowLegacyTLSClients=true", "--data", str(data))
        assert (
            proc.returncode == 0 and "set TransportConfig.AllowLegacyTLSClients=true" in proc.stdout
        )
        assert client.tenant_document()["TransportConfig"]["AllowLegacyTLSClients"] is True

        bad = exolab("set", "Limits.MaxLogonFailures=-3", "--data", str(data))
        assert bad.returncode == 2 and "MaxLogonFailures" in one_error_line(bad, "set")

        proc = exolab(
            "admin",
            "Set-CASMailbox -Identity alice@contoso.com -SmtpClientAuthenticationDisabled $false",
            "--data",
            str(data),
        )
        assert proc.returncode == 0, proc.stderr
        mailboxes = client.tenant_document()["Mailbox"]
        alice = next(m for m in mailboxes if m["PrimarySmtpAddress"] == "alice@contoso.com")
        assert alice["SmtpClientAuthenticationDisabled"] is False

        unknown = exolab(
            "admin",
            "Set-MailboxJunkEmailConfiguration -Identity alice@contoso.com -Enabled $false",
            "--data",
            str(data),
        )
        line = one_error_line(unknown, "admin")
        assert (
            unknown.returncode == 2 and "Set-TransportConfig" in line and "Set-CASMailbox" in line
        )

        clock = exolab("set", "Lab.AsOf=2027-01-15T09:00:00Z", "--data", str(data))
        assert clock.returncode == 0, clock.stderr
        state = client.get_api("/api/console/state").body
        assert state["clock"]["now"].startswith("2027-01-15T09:0")

        url = exolab("console", "--lang", "ja", "--data", str(data)).stdout.strip()
        assert url == f"{client.api_url}/console?lang=ja#token={client.api_token}"
    finally:
        serve.send_signal(signal.SIGINT)
        serve.communicate(timeout=30)
