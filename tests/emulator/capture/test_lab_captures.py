"""A lab with Lab.Capture: each session's pcap and key log, read back by tshark and exolab doctor."""

from __future__ import annotations

import asyncio
import json
import shutil
import smtplib
import ssl
import subprocess
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from exolab.cli import main
from exolab.emulator.dns import LabDns
from exolab.emulator.lab import Service
from exolab.emulator.server import Lab
from exolab.emulator.smtp.mx import MxService
from exolab.emulator.smtp.submission import SubmissionService
from tests.emulator import labs

pytestmark = pytest.mark.external
FAST = ("Lab.UnknownCommandDelay=0", "Lab.Port465Hold=0.3")


@pytest.fixture
async def capturing(tmp_path: Path) -> AsyncIterator[labs.LabFactory]:
    async with labs.lab_factory(tmp_path, lambda: [SubmissionService()], *FAST) as start:
        yield start


def send(lab: Lab, port: int, version: ssl.TLSVersion) -> None:
    address, _ = lab.endpoint("smtp.office365.com", 587)
    context = ssl.create_default_context(cafile=str(lab.context.ca.pem_path))
    context.check_hostname = False
    context.maximum_version = version
    with smtplib.SMTP(address, port, local_hostname="mfp-01", timeout=20) as client:
        client.starttls(context=context)
        client.login("scanner@contoso.com", "Scan-2-Mail!")
        client.sendmail(
            "scanner@contoso.com", ["bob@contoso.com"], b"From: scanner@contoso.com\r\n\r\npage\r\n"
        )


VERBS = ("EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "QUIT", "RSET", "NOOP")


def verb_upper(text: str) -> str | None:
    """A command line with its verb upper-cased (the transcript records verbs so), or None."""
    verb, _, rest = text.partition(" ")
    if verb.upper() not in VERBS:
        return None
    if verb.upper() == "AUTH":
        rest = rest.split(" ")[0]  # the transcript redacts an initial response
    return f"{verb.upper()} {rest}".strip()


def first_lines(transcript: Sequence[tuple[str, str]]) -> list[str]:
    """Each reply's first line: a multi-line reply is ``250-…`` lines ending with ``250 …``."""
    out, inside = [], False
    for side, text in transcript:
        if side != "S":
            inside = False
            continue
        if not inside:
            out.append(text)
        inside = text[3:4] == "-"
    return out


def tshark_smtp(pcap: Path, keys: Path, port: int) -> list[tuple[str, str]]:
    """What tshark decodes: ("C", command line) and ("S", reply line), in order."""
    assert shutil.which("tshark"), "tshark is needed (make tools)"
    out = subprocess.run(
        [
            "tshark", "-r", str(pcap), "-o", f"tls.keylog_file:{keys}",
            "-d", f"tcp.port=={port},smtp", "-Y", "smtp", "-T", "fields",
            "-e", "smtp.command_line", "-e", "smtp.response", "-E", "occurrence=a",
            "-E", "aggregator=\x1f",
        ],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    lines: list[tuple[str, str]] = []
    for row in out.splitlines():
        commands, replies = [*row.split("\t"), ""][:2]
        for side, texts in (("C", commands), ("S", replies)):
            for text in texts.split("\x1f"):
                text = text.removesuffix("\\r\\n")  # tshark prints the CRLF escaped
                if text.strip():
                    lines.append((side, text))
    return lines


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
async def test_tshark_reads_the_session_as_the_transcript(
    capturing: labs.LabFactory, tmp_path: Path, version: ssl.TLSVersion
) -> None:
    lab = await capturing("Lab.Capture=true")
    _, port = lab.endpoint("smtp.office365.com", 587)
    await asyncio.to_thread(send, lab, port, version)
    [session] = await labs.sessions_recorded(lab)
    folder = lab.context.data_dir / "captures"
    pcap, keys = folder / f"{session.id}.pcap", folder / f"{session.id}.keys"
    for _ in range(500):  # written when the connection is lost, just after the session record
        if pcap.exists():
            break
        await asyncio.sleep(0.01)
    decoded = await asyncio.to_thread(tshark_smtp, pcap, keys, port)
    transcript = [(line.dir, line.line) for line in session.transcript if line.dir in "CS"]
    # every reply, byte for byte (tshark shows the first line of a multi-line reply);
    # the commands by verb (the transcript redacts credentials)
    assert [t for d, t in decoded if d == "S"] == first_lines(transcript), decoded
    commands = [verb_upper(t) for d, t in decoded if d == "C" and verb_upper(t) is not None]
    expected = [verb_upper(t) for d, t in transcript if d == "C" and verb_upper(t) is not None]
    assert commands == expected and any(c and c.startswith("MAIL FROM:") for c in commands), decoded


async def test_capture_command_and_doctor(
    capturing: labs.LabFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = await capturing("Lab.Capture=true")
    _, port = lab.endpoint("smtp.office365.com", 587)
    await asyncio.to_thread(send, lab, port, ssl.TLSVersion.TLSv1_3)
    [session] = await labs.sessions_recorded(lab)
    folder = lab.context.data_dir / "captures"
    for _ in range(500):
        if (folder / f"{session.id}.pcap").exists():
            break
        await asyncio.sleep(0.01)
    out = tmp_path / "out"
    data = str(lab.context.data_dir)
    assert main(["capture", str(session.id), "--out", str(out), "--data", data]) == 0
    assert sorted(p.name for p in out.iterdir()) == [f"{session.id}.keys", f"{session.id}.pcap"]
    capsys.readouterr()
    pcap, keys = out / f"{session.id}.pcap", out / f"{session.id}.keys"
    assert main(["doctor", str(pcap), "--keylog", str(keys), "--json"]) in (0, 1)
    [stream] = json.loads(capsys.readouterr().out)["streams"]
    assert (
        stream["client"]["address"] == session.client_ip if hasattr(session, "client_ip") else True
    )
    assert stream["tls"]["decrypted"] and stream["tls"]["client_max_version"] == "TLS 1.3"
    assert any(line["line"] == "235 2.7.0 Authentication successful" for line in stream["smtp"])
    assert main(["capture", "999", "--out", str(out), "--data", data]) == 2


async def test_no_capture_without_the_setting(capturing: labs.LabFactory) -> None:
    lab = await capturing()
    _, port = lab.endpoint("smtp.office365.com", 587)
    await asyncio.to_thread(send, lab, port, ssl.TLSVersion.TLSv1_3)
    await labs.sessions_recorded(lab)
    assert lab.context.capture_sink() is None
    assert not (lab.context.data_dir / "captures").exists()


async def test_mx_direct_send_is_captured_and_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def services() -> list[Service]:
        return [LabDns(), MxService()]

    async with labs.lab_factory(tmp_path, services, *FAST) as start:
        lab = await start("Lab.Capture=true")
        host = lab.context.tenant.tenant.mx_host
        address, port = lab.endpoint(host, 25)

        def direct_send() -> None:
            with smtplib.SMTP(address, port, local_hostname="mfp-01", timeout=20) as client:
                client.sendmail(
                    "scanner@contoso.com",
                    ["someone@fabrikam.com"],
                    b"From: scanner@contoso.com\r\n\r\nx\r\n",
                )

        with pytest.raises(smtplib.SMTPRecipientsRefused):
            await asyncio.to_thread(direct_send)
        [session] = await labs.sessions_recorded(lab)
        pcap = lab.context.data_dir / "captures" / f"{session.id}.pcap"
        for _ in range(500):
            if pcap.exists():
                break
            await asyncio.sleep(0.01)
    # the banner names the MX; the recipient is outside contoso.com
    assert main(["doctor", str(pcap), "--json"]) == 1
    [stream] = json.loads(capsys.readouterr().out)["streams"]
    assert stream["server"]["looks_like"].endswith(".mail.protection.outlook.com")
    rules = [(f["rule"], f["reply"]) for f in stream["findings"]]
    assert ("direct_send_external", "550 5.7.64") in rules
