"""Real clients from outside the project get the documented replies: swaks, openssl s_client, curl."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from exolab.emulator.server import Lab
from tests.emulator.labs import LabFactory, sessions_recorded
from tests.emulator.smtp.wire import MATCHER

pytestmark = pytest.mark.external
SCANNER, PASSWORD = "scanner@contoso.com", "Scan-2-Mail!"
LOGIN_LINES = "c2Nhbm5lckBjb250b3NvLmNvbQ==\r\nU2Nhbi0yLU1haWwh\r\n"  # scanner / Scan-2-Mail!


async def run(*argv: str, stdin: bytes = b"") -> tuple[int, str]:
    """Run a client while the lab keeps serving on this event loop."""
    assert shutil.which(argv[0]), f"{argv[0]} is needed (make tools)"
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(stdin), 60)
    return proc.returncode or 0, out.decode("utf-8", "replace")


def server_lines(output: str, prefix: str = "") -> list[str]:
    """Reply lines in a client's output (swaks marks them ``<~``/``<**``; s_client prints them bare)."""
    lines = []
    for raw in output.splitlines():
        text = raw.strip()
        for mark in ("<~ ", "<** ", "<- ", "< "):
            if text.startswith(mark):
                text = text[len(mark) :].strip()
                break
        else:
            if prefix == "bare" and text[:3].isdigit() and text[3:4] in (" ", "-"):
                lines.append(text)
            continue
        if text[:3].isdigit():
            lines.append(text)
    return lines


async def test_swaks_sends_a_scan(lab: Lab) -> None:
    address, port = lab.endpoint("smtp.office365.com", 587)
    code, out = await run(
        "swaks",
        "--server",
        f"{address}:{port}",
        "--local-interface",
        "127.20.0.10",
        "--ehlo",
        "mfp-01",
        "--tls",
        "--auth",
        "LOGIN",
        "--auth-user",
        SCANNER,
        "--auth-password",
        PASSWORD,
        "--from",
        SCANNER,
        "--to",
        "bob@contoso.com",
    )
    assert code == 0, out
    lines = server_lines(out)
    assert any(line.startswith("220 2.0.0 SMTP server ready") for line in lines)
    assert "334 VXNlcm5hbWU6" in lines and "334 UGFzc3dvcmQ6" in lines
    assert any(line.startswith("250 2.0.0 OK <") for line in lines)
    assert all(MATCHER.which(line) for line in lines), [x for x in lines if not MATCHER.which(x)]
    assert [m.folder for m in lab.store.messages()] == ["Inbox", "Sent Items"]


async def test_swaks_sees_the_tenant_switch(lab: Lab) -> None:
    address, port = lab.endpoint("smtp.office365.com", 587)
    code, out = await run(
        "swaks",
        "--server",
        f"{address}:{port}",
        "--tls",
        "--auth",
        "LOGIN",
        "--auth-user",
        "alice@contoso.com",
        "--auth-password",
        "Alice-Pass-1",
        "--from",
        "alice@contoso.com",
        "--to",
        "bob@contoso.com",
    )
    assert code != 0
    assert (
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."
        in out
    )


async def test_openssl_tls1_gets_421_4_7_66(lab: Lab) -> None:
    address, port = lab.endpoint("smtp.office365.com", 587)
    _, out = await run(
        "openssl",
        "s_client",
        "-starttls",
        "smtp",
        "-connect",
        f"{address}:{port}",
        "-tls1",
        "-cipher",
        "DEFAULT@SECLEVEL=0",
        "-quiet",
        stdin=("EHLO mfp-01\r\nAUTH LOGIN\r\n" + LOGIN_LINES + "QUIT\r\n").encode(),
    )
    lines = server_lines(out, "bare")
    assert any(
        line.startswith(
            "421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client"
        )
        for line in lines
    ), out
    assert not any(line.startswith("334") for line in lines)


async def test_openssl_tls1_2_signs_in(lab: Lab) -> None:
    address, port = lab.endpoint("smtp.office365.com", 25)
    ca = str(lab.context.ca.pem_path)
    _, out = await run(
        "openssl",
        "s_client",
        "-starttls",
        "smtp",
        "-connect",
        f"{address}:{port}",
        "-tls1_2",
        "-CAfile",
        ca,
        "-verify_return_error",
        "-servername",
        "smtp.office365.com",
        "-verify_hostname",
        "smtp.office365.com",
        "-quiet",
        stdin=("EHLO mfp-01\r\nAUTH LOGIN\r\n" + LOGIN_LINES + "QUIT\r\n").encode(),
    )
    lines = server_lines(out, "bare")
    assert "250-AUTH LOGIN XOAUTH2" in lines, out
    assert lines[-3:] == [
        "334 UGFzc3dvcmQ6",
        "235 2.7.0 Authentication successful",
        "221 2.0.0 Service closing transmission channel",
    ]
    [session] = await sessions_recorded(lab)
    assert (session.port, session.tls_version, session.identity) == (25, "TLSv1.2", SCANNER)


async def test_curl_submits_with_name_checked_tls(lab: Lab, tmp_path: Path) -> None:
    address, port = lab.endpoint("smtp.office365.com", 587)
    message = tmp_path / "scan.eml"
    message.write_bytes(b"From: scanner@contoso.com\r\nSubject: curl scan\r\n\r\nscan\r\n")
    common = [
        "curl",
        "-sS",
        "-v",
        f"smtp://smtp.office365.com:{port}",
        "--resolve",
        f"smtp.office365.com:{port}:{address}",
        "--ssl-reqd",
        "--cacert",
        str(lab.context.ca.pem_path),
        "--mail-from",
        SCANNER,
        "--mail-rcpt",
        "alice@contoso.com",
        "--login-options",
        "AUTH=LOGIN",
        "-T",
        str(message),
    ]
    code, out = await run(*common, "-u", f"{SCANNER}:{PASSWORD}")
    assert code == 0, out
    assert "< 250 2.0.0 OK <" in out
    code, out = await run(*common, "-u", f"{SCANNER}:wrong")
    assert code == 67, out  # CURLE_LOGIN_DENIED
    assert "< 535 5.7.3 Authentication unsuccessful [" in out
    assert [m.mailbox for m in lab.store.messages(folder="Inbox")] == ["alice@contoso.com"]


async def test_curl_through_the_legacy_endpoint_with_the_opt_in(
    lab_factory: LabFactory, tmp_path: Path
) -> None:
    lab = await lab_factory("TransportConfig.AllowLegacyTLSClients=true")
    address, port = lab.endpoint("smtp-legacy.office365.com", 587)
    message = tmp_path / "scan.eml"
    message.write_bytes(b"From: scanner@contoso.com\r\nSubject: legacy\r\n\r\nscan\r\n")
    code, out = await run(
        "curl",
        "-sS",
        "-v",
        f"smtp://{address}:{port}",
        "--ssl-reqd",
        "-k",
        "--tlsv1.1",
        "--tls-max",
        "1.1",
        "--ciphers",
        "DEFAULT@SECLEVEL=0",
        "--mail-from",
        SCANNER,
        "--mail-rcpt",
        "bob@contoso.com",
        "-u",
        f"{SCANNER}:{PASSWORD}",
        "--login-options",
        "AUTH=LOGIN",
        "-T",
        str(message),
    )
    assert code == 0, out
    assert "TLSv1.1" in out
