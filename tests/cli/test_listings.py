"""`exolab messages` and `exolab sessions [ID]` read as a person reads mail and logs."""

from __future__ import annotations

from email.header import Header
from email.message import EmailMessage
from pathlib import Path

from exolab.emulator.clock import utc
from exolab.emulator.store import STORE_FILE, Placement, SessionRecord, Store
from exolab.emulator.store.model import TranscriptLine
from tests.cli.processes import exolab

SUBJECT = "スキャン文書 2026年度"
FILE_NAME = "見積書.pdf"
LONG_HOST = "contoso-com.mail.protection.outlook.com"


def japanese_scan() -> bytes:
    """What a Japanese MFP sends: an ISO-2022-JP subject and an RFC 2231 file name."""
    message = EmailMessage()
    message["From"] = "scanner@contoso.com"
    message["To"] = "alice@contoso.com"
    message["Subject"] = SUBJECT
    message.set_content("scan attached")
    message.add_attachment(b"%PDF-1.4\n", maintype="application", subtype="pdf", filename=FILE_NAME)
    raw = message.as_bytes()
    # the device's own charset: ISO-2022-JP in an RFC 2047 encoded word
    encoded = Header(SUBJECT, "iso-2022-jp").encode()
    head, _, body = raw.partition(b"\n\n")
    lines = [ln for ln in head.split(b"\n") if not ln.startswith(b"Subject:")]
    lines.append(b"Subject: " + encoded.encode("ascii"))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body.replace(b"\n", b"\r\n")


def lab_data(tmp_path: Path) -> Path:
    data = tmp_path / "lab-data"
    data.mkdir()
    store = Store.open(data / STORE_FILE)
    try:
        for sid, host in ((1, "smtp.office365.com"), (2, LONG_HOST)):
            store.record_session(
                SessionRecord(
                    id=sid,
                    endpoint=host,
                    port=587 if sid == 1 else 25,
                    client="127.20.0.10",
                    public_ip="203.0.113.39",
                    site="office",
                    started_at=utc(2026, 6, 1, 9),
                    identity="scanner@contoso.com",
                    transcript=(
                        TranscriptLine(0.0, "S", "220 ready"),
                        TranscriptLine(0.1, "C", "EHLO mfp"),
                    ),
                    notes=("auth: tenant SMTP AUTH disabled",),
                    outcome="rejected",
                )
            )
        store.commit_delivery(
            1, "scanner@contoso.com", japanese_scan(), [Placement("alice@contoso.com", "Inbox")]
        )
    finally:
        store.close()
    return data


def test_messages_show_the_decoded_subject_and_attachment_names(tmp_path: Path) -> None:
    data = lab_data(tmp_path)
    proc = exolab("messages", "--data", str(data))
    assert proc.returncode == 0, proc.stderr
    assert SUBJECT in proc.stdout and FILE_NAME in proc.stdout
    assert "=?" not in proc.stdout


def test_sessions_columns_stay_aligned_for_long_host_names(tmp_path: Path) -> None:
    proc = exolab("sessions", "--data", str(lab_data(tmp_path)))
    assert proc.returncode == 0, proc.stderr
    header, *rows = proc.stdout.splitlines()
    starts = {line.index("127.20.0.10") for line in rows}
    assert starts == {header.index("CLIENT")}


def test_one_session_with_its_transcript(tmp_path: Path) -> None:
    data = lab_data(tmp_path)
    proc = exolab("sessions", "2", "--data", str(data))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"session 2: {LONG_HOST}:25  rejected")
    assert "← 220 ready" in proc.stdout and "→ EHLO mfp" in proc.stdout
    assert "auth: tenant SMTP AUTH disabled" in proc.stdout
    missing = exolab("sessions", "9", "--data", str(data))
    assert missing.returncode == 2 and "no session 9" in missing.stderr
