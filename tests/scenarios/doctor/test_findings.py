"""Findings the real clients of the other tests do not make, on captures built with scapy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from exolab.cli import main
from tests.scenarios.doctor import synth

MX = "contoso-com.mail.protection.outlook.com"
DEFAULT_TENANT = Path(__file__).parents[3] / "emulator" / "tenant" / "default.toml"
BANNER = b"220 AM3PEPF0000A792.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready\r\n"


def doctor(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["doctor", *argv, "--json"])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return code, json.loads(out)


def rules(doc: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(f["rule"], f["reply"]) for s in doc["streams"] for f in s["findings"]]


def direct_send(
    sender: str, recipient: str, source: str = "127.20.0.20"
) -> list[tuple[str, bytes]]:
    return [
        ("S", BANNER),
        ("C", b"EHLO mfp\r\n"),
        ("S", b"250 hello\r\n"),
        ("C", f"MAIL FROM:<{sender}>\r\n".encode()),
        ("S", b"250 2.1.0 Sender OK\r\n"),
        ("C", f"RCPT TO:<{recipient}>\r\n".encode()),
        ("S", b"250 2.1.5 Recipient OK\r\n"),
        ("C", b"QUIT\r\n"),
        ("S", b"221 2.0.0 bye\r\n"),
    ]


def test_direct_send_to_an_outside_recipient_named_by_dns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    packets = [synth.dns_answer(MX, "127.10.0.3")]
    packets += synth.conversation(
        ("127.20.0.20", 40001), ("127.10.0.3", 25), direct_send("scan@contoso.com", "x@example.net")
    )
    code, doc = doctor(capsys, str(synth.write(tmp_path / "ds.pcap", packets)))
    assert code == 1
    assert doc["streams"][0]["server"]["looks_like"] == MX
    assert rules(doc) == [("direct_send_external", "550 5.7.64")]


def test_a_site_outside_the_tenants_spf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def capture(source: str) -> str:
        packets = [synth.dns_answer(MX, "127.10.0.3")]
        packets += synth.conversation(
            (source, 40001), ("127.10.0.3", 25), direct_send("scan@contoso.com", "bob@contoso.com")
        )
        return str(synth.write(tmp_path / f"{source}.pcap", packets))

    # 127.20.0.20 is the site 198.51.100.20, which contoso.com's SPF does not list
    code, doc = doctor(capsys, capture("127.20.0.20"), "--tenant", str(DEFAULT_TENANT))
    assert rules(doc) == [("spf_not_covering", None)] and code == 1
    assert "198.51.100.20" in doc["streams"][0]["findings"][0]["fix"]
    assert "ip4:203.0.113.39 ip4:198.51.100.20" in doc["streams"][0]["findings"][0]["fix"]
    # 127.20.0.10 is the office, 203.0.113.39, in the SPF record
    code, doc = doctor(capsys, capture("127.20.0.10"), "--tenant", str(DEFAULT_TENANT))
    assert (code, rules(doc)) == (0, [])
    code, doc = doctor(capsys, capture("127.20.0.20"))  # no tenant: SPF is not judged
    assert code == 0


def test_rsa_only_suites_and_no_sni(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exchange = [
        ("S", b"220 host Microsoft ESMTP MAIL Service ready\r\n"),
        ("C", b"EHLO mfp\r\n"),
        ("S", b"250-host\r\n250 STARTTLS\r\n"),
        ("C", b"STARTTLS\r\n"),
        ("S", b"220 2.0.0 SMTP server ready\r\n"),
        ("C", synth.client_hello(None, [0x002F, 0x0035, 0x00FF])),
        ("S", b"\x15\x03\x03\x00\x02\x02\x28"),  # alert: handshake_failure
    ]
    pcap = synth.write(
        tmp_path / "rsa.pcap",
        synth.conversation(("127.20.0.10", 40002), ("127.10.0.1", 587), exchange),
    )
    code, doc = doctor(capsys, str(pcap), "--lang", "ja")
    assert code == 1
    [stream] = doc["streams"]
    assert stream["tls"]["cipher_suites"] == [
        "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA",
        "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
    ]  # fmt: skip
    assert stream["tls"]["server_alert"] == "handshake_failure"
    found = rules(doc)
    assert ("rsa_only_suites", None) in found and ("no_sni", None) in found
    assert ("server_ended_session", "handshake_failure") in found
    assert "ECDHE" in stream["findings"][0]["fix"] and "ください" in stream["findings"][0]["fix"]


def test_auth_on_submission_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exchange = [
        ("S", b"220 host.outlook.office365.com Microsoft ESMTP MAIL Service ready\r\n"),
        ("C", b"EHLO mfp\r\n"),
        ("S", b"250 host\r\n"),
        ("C", b"MAIL FROM:<scan@contoso.com>\r\n"),
        ("S", b"530 5.7.57 Client not authenticated to send mail.\r\n"),
    ]
    pcap = synth.write(
        tmp_path / "noauth.pcap",
        synth.conversation(("127.20.0.10", 40003), ("127.10.0.1", 587), exchange),
    )
    code, doc = doctor(capsys, str(pcap))
    assert code == 1
    assert ("no_auth_on_submission", "530 5.7.57") in rules(doc)
    assert ("server_ended_session", "530 5.7.57") in rules(doc)  # the reply seen, then the close
