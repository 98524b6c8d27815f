"""`exolab serve`, `exolab messages`, `exolab sessions` as a user runs them: real processes."""

from __future__ import annotations

import json
import signal
import smtplib
import socket
import subprocess
from pathlib import Path

import pytest

from exolab.cli import main
from tests.cli.processes import EXOLAB, ROOT, exolab, start_serve


def test_serve_send_stop_then_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "lab"
    proc, ready = start_serve(data, "--ephemeral-ports", "--set", "Lab.UnknownCommandDelay=0")
    try:
        assert ready.strip() == f"exolab ready: {data / 'endpoints.json'}", (
            proc.stderr.read() if proc.stderr else ""
        )
        doc = json.loads((data / "endpoints.json").read_text())
        entry = doc["endpoints"]["smtp.office365.com"]
        assert entry["address"] == "127.10.0.1" and set(entry["ports"]) == {"587", "25", "465"}
        assert set(doc["endpoints"]["smtp-legacy.office365.com"]["ports"]) == {"587", "25"}
        office = doc["sites"]["office"]
        assert (office["source"], office["public"]) == ("127.20.0.10", "203.0.113.39")
        assert Path(doc["ca_pem"]).read_text().startswith("-----BEGIN CERTIFICATE-----")
        client = smtplib.SMTP(local_hostname="mfp", source_address=("127.20.0.10", 0), timeout=10)
        client._host = "smtp.office365.com"  # type: ignore[attr-defined]
        client.connect(entry["address"], entry["ports"]["587"])
        import ssl

        client.starttls(context=ssl.create_default_context(cafile=doc["ca_pem"]))
        client.login("scanner@contoso.com", "Scan-2-Mail!")
        client.sendmail(
            "scanner@contoso.com",
            ["bob@contoso.com"],
            b"From: scanner@contoso.com\r\nSubject: via serve\r\n\r\nhi\r\n",
        )
        client.quit()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()

    assert main(["messages", "--data", str(data), "--json"]) == 0
    messages = json.loads(capsys.readouterr().out)
    assert {(m["mailbox"], m["folder"]) for m in messages} == {
        ("bob@contoso.com", "Inbox"),
        ("scanner@contoso.com", "Sent Items"),
    }
    inbox = next(m for m in messages if m["folder"] == "Inbox")
    assert inbox["subject"] == "via serve" and inbox["envelope_to"] == ["bob@contoso.com"]
    assert inbox["headers"][0][0] == "Received" and inbox["scl"] is None
    for key in ("id", "envelope_from", "size", "received_at"):
        assert key in inbox
    assert main(["messages", "--data", str(data), "--mailbox", "bob@contoso.com"]) == 0
    assert "via serve" in capsys.readouterr().out
    assert main(["sessions", "--data", str(data), "--json"]) == 0
    [session] = json.loads(capsys.readouterr().out)
    assert session["identity"] == "scanner@contoso.com" and session["public_ip"] == "203.0.113.39"
    assert session["outcome"] == "delivered 1 message(s)" and session["transcript"][0]["dir"] == "S"
    assert main(["sessions", "--data", str(data)]) == 0
    assert "smtp.office365.com:587" in capsys.readouterr().out


def test_bad_override_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--data", str(tmp_path), "--set", "TransportConfig.Nope=true"]) == 2
    assert "TransportConfig.Nope" in capsys.readouterr().err


def test_bad_tenant_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "tenant.toml"
    bad.write_text("[Tenant\nName = 1\n")
    assert main(["serve", "--data", str(tmp_path), "--tenant", str(bad)]) == 2
    assert str(bad) in capsys.readouterr().err
    assert main(["serve", "--data", str(tmp_path), "--as-of", "next tuesday"]) == 2


def test_a_bad_exolab_as_of_is_a_usage_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXOLAB_AS_OF", "soon")
    assert main(["serve", "--data", str(tmp_path)]) == 2
    assert "$EXOLAB_AS_OF 'soon': expected a date like 2027-01-15" in capsys.readouterr().err


def test_exolab_as_of_is_the_lab_date_and_as_of_wins(tmp_path: Path) -> None:
    """The banner carries the lab date: the variable moves it, the flag overrides the variable."""
    for extra, expected in (
        ((), "Mon, 1 Feb 2027"),
        (("--as-of", "2029-01-01"), "Mon, 1 Jan 2029"),
    ):
        data = tmp_path / expected.replace(" ", "_").replace(",", "")
        proc, ready = start_serve(
            data, "--ephemeral-ports", *extra, env={"EXOLAB_AS_OF": "2027-02-01"}
        )
        try:
            assert ready.startswith("exolab ready:"), proc.stderr.read() if proc.stderr else ""
            doc = json.loads((data / "endpoints.json").read_text())
            entry = doc["endpoints"]["smtp.office365.com"]
            with socket.create_connection((entry["address"], entry["ports"]["587"]), 10) as s:
                banner = s.recv(512).decode()
            assert f"ready at {expected} 00:00:" in banner, banner
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=20)


def _port_in_offset_range() -> socket.socket:
    """A listening socket on 127.10.0.1 whose port 587 + --port-offset (0..60000) can name."""
    while True:
        blocker = socket.socket()
        blocker.bind(("127.10.0.1", 0))
        if 587 <= blocker.getsockname()[1] <= 587 + 60000:
            blocker.listen()
            return blocker
        blocker.close()  # the kernel's ephemeral range reaches above 60587


def test_a_busy_port_names_host_address_and_port(tmp_path: Path) -> None:
    blocker = _port_in_offset_range()
    offset = blocker.getsockname()[1] - 587
    try:
        proc = subprocess.run(
            [*EXOLAB, "serve", "--data", str(tmp_path), "--port-offset", str(offset)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        blocker.close()
    assert proc.returncode == 2
    assert f"smtp.office365.com: 127.10.0.1:{offset + 587} is already in use" in proc.stderr


def test_listing_needs_a_lab_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["messages", "--data", str(tmp_path)]) == 2
    assert "no lab store here" in capsys.readouterr().err
    assert main(["messages", "--data", str(tmp_path), "--folder", "Trash"]) == 2


def test_serve_capture_records_each_session_and_capture_copies_it_out(tmp_path: Path) -> None:
    data = tmp_path / "lab"
    proc, ready = start_serve(data, "--ephemeral-ports", "--capture")
    try:
        assert ready.startswith("exolab ready:"), proc.stderr.read() if proc.stderr else ""
        doc = json.loads((data / "endpoints.json").read_text())
        entry = doc["endpoints"]["smtp.office365.com"]
        with smtplib.SMTP(entry["address"], entry["ports"]["587"], timeout=10) as client:
            client.ehlo("mfp")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
    [pcap] = (data / "captures").glob("*.pcap")
    assert pcap.read_bytes()[:4] in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4")  # a pcap file
    out = tmp_path / "out"
    copied = exolab("capture", pcap.stem, "--data", str(data), "--out", str(out))
    assert copied.returncode == 0, copied.stderr
    assert (out / pcap.name).read_bytes() == pcap.read_bytes()
