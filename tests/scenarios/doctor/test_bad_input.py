"""Captures and key logs that cannot be used: one line on stderr, exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from exolab.cli import main
from tests.scenarios.doctor import synth

HELLO = [
    ("S", b"220 host Microsoft ESMTP MAIL Service ready\r\n"),
    ("C", b"EHLO mfp\r\n"),
    ("S", b"250-host\r\n250 STARTTLS\r\n"),
    ("C", b"STARTTLS\r\n"),
    ("S", b"220 2.0.0 SMTP server ready\r\n"),
    ("C", synth.client_hello("smtp.office365.com", [0xC030])),
]


def one_line(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["doctor", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err, err
    return err


def smtp_capture(tmp_path: Path) -> Path:
    packets = synth.conversation(("127.20.0.10", 40010), ("127.10.0.1", 587), HELLO)
    return synth.write(tmp_path / "smtp.pcap", packets)


def test_not_a_capture(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "notes.pcap"
    text.write_text("this is a text file\n")
    assert "not a pcap or pcapng capture" in one_line(capsys, str(text))
    assert "no such capture file" in one_line(capsys, str(tmp_path / "missing.pcap"))


def test_a_truncated_capture(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    whole = smtp_capture(tmp_path).read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(whole[:-20])
    assert "truncated" in one_line(capsys, str(cut))


def test_no_smtp_in_the_capture(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pcap = synth.write(tmp_path / "dns.pcap", [synth.dns_answer("example.com", "192.0.2.1")])
    assert "no SMTP conversation" in one_line(capsys, str(pcap))


def test_a_key_log_that_does_not_match(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keys = tmp_path / "keys.log"
    keys.write_text(f"CLIENT_RANDOM {'ab' * 32} {'cd' * 48}\n")
    assert "holds no secret for any TLS session" in one_line(
        capsys, str(smtp_capture(tmp_path)), "--keylog", str(keys)
    )
    keys.write_text("not a key log\n")
    assert "not an NSS key log line" in one_line(
        capsys, str(smtp_capture(tmp_path)), "--keylog", str(keys)
    )
