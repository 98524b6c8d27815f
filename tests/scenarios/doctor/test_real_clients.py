"""`exolab doctor` on tcpdump captures of real clients (openssl, swaks, curl) against the lab."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest

from exolab.cli import main
from exolab.emulator.server import Lab
from tests.scenarios.doctor.conftest import Recorder, run

pytestmark = pytest.mark.external
SCANNER, PASSWORD = "scanner@contoso.com", "Scan-2-Mail!"
LOGIN_LINES = "c2Nhbm5lckBjb250b3NvLmNvbQ==\r\nU2Nhbi0yLU1haWwh\r\n"  # scanner / Scan-2-Mail!


def doctor(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["doctor", *argv, "--json"])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return code, json.loads(out)


def rules(doc: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(f["rule"], f["reply"]) for s in doc["streams"] for f in s["findings"]]


async def test_openssl_tls1_is_told_421_4_7_66(
    lab: Lab, record: Recorder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    address, port = lab.endpoint("smtp.office365.com", 587)
    keys = tmp_path / "tls1-keys.log"
    async with record(tmp_path / "tls1.pcap", address, port) as pcap:
        await run(
            "openssl", "s_client", "-starttls", "smtp", "-connect", f"{address}:{port}",
            "-tls1", "-cipher", "DEFAULT@SECLEVEL=0", "-servername", "smtp.office365.com",
            "-keylogfile", str(keys), "-quiet",
            stdin=("EHLO mfp-01\r\nAUTH LOGIN\r\n" + LOGIN_LINES + "QUIT\r\n").encode(),
        )  # fmt: skip
    code, doc = doctor(capsys, str(pcap))
    assert code == 1
    [stream] = doc["streams"]
    assert stream["server"]["looks_like"] == "smtp.office365.com"  # told by the banner
    assert stream["tls"]["client_max_version"] == "TLS 1.0"
    assert stream["tls"]["sni"] == "smtp.office365.com"
    assert ("tls_below_1_2", "421 4.7.66") in rules(doc)  # from the ClientHello alone
    code, doc = doctor(capsys, str(pcap), "--keylog", str(keys))  # TLS 1.0 CBC, decrypted
    lines = [line["line"] for line in doc["streams"][0]["smtp"] if line["encrypted"]]
    assert any(line.startswith("421 4.7.66 TLS 1.0 and 1.1 are not supported") for line in lines)
    assert ("server_ended_session", "421 4.7.66") in rules(doc)
    assert "U2Nhbi0yLU1haWwh" not in json.dumps(doc)  # the pipelined password is not shown
    assert main(["doctor", str(pcap), "--lang", "ja"]) == 1
    assert "TLS 1.2 に対応したファームウェア" in capsys.readouterr().out


async def test_openssl_tls1_2_good_session_has_no_finding(
    lab: Lab, record: Recorder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    address, port = lab.endpoint("smtp.office365.com", 587)
    keys = tmp_path / "keys.log"
    async with record(tmp_path / "tls12.pcap", address, port) as pcap:
        _, out = await run(
            "openssl", "s_client", "-starttls", "smtp", "-connect", f"{address}:{port}",
            "-tls1_2", "-servername", "smtp.office365.com", "-keylogfile", str(keys), "-quiet",
            stdin=("EHLO mfp-01\r\nAUTH LOGIN\r\n" + LOGIN_LINES + "QUIT\r\n").encode(),
        )  # fmt: skip
    assert "235 2.7.0" in out
    code, doc = doctor(capsys, str(pcap), "--keylog", str(keys))
    assert code == 0, rules(doc)
    [stream] = doc["streams"]
    assert stream["tls"]["client_max_version"] == "TLS 1.2" and stream["tls"]["decrypted"]
    assert "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" in stream["tls"]["cipher_suites"]
    lines = [(line["dir"], line["line"], line["encrypted"]) for line in stream["smtp"]]
    assert ("C", "STARTTLS", False) in lines
    assert ("C", "AUTH LOGIN", True) in lines and (
        "S",
        "235 2.7.0 Authentication successful",
        True,
    ) in lines
    assert ("C", "<password not shown>", True) in lines  # the report is shared: no password in it
    code, _ = doctor(capsys, str(pcap))  # without the key log: the clear part only, no finding
    assert code == 0


async def test_implicit_tls_connect(
    lab: Lab, record: Recorder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    address, port = lab.endpoint("smtp.office365.com", 465)
    async with record(tmp_path / "465.pcap", address, port) as pcap:
        await run(
            "openssl", "s_client", "-connect", f"{address}:{port}", "-tls1_2",
            "-servername", "smtp.office365.com", "-quiet",
        )  # fmt: skip
    code, doc = doctor(capsys, str(pcap))
    assert code == 1
    [stream] = doc["streams"]
    assert stream["tls"]["mode"] == "implicit" and stream["smtp"] == []
    assert ("implicit_tls", None) in rules(doc)


async def _auth_plain_server(seen: list[bytes]) -> asyncio.Server:
    """A scripted peer that offers AUTH PLAIN in the clear (as Postfix may), so swaks uses it."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 relay.example ESMTP\r\n")
        while line := await reader.readline():
            seen.append(line)
            verb = line.split(b" ", 1)[0].strip().upper()
            answer = {
                b"EHLO": b"250-relay.example\r\n250 AUTH PLAIN LOGIN\r\n",
                b"AUTH": b"235 2.7.0 ok\r\n",
                b"DATA": b"354 go\r\n",
                b"QUIT": b"221 bye\r\n",
            }.get(verb, b"250 ok\r\n")
            if verb == b".":
                answer = b"250 queued\r\n"
            writer.write(answer)
            if verb == b"QUIT":
                break
        writer.close()

    return await asyncio.start_server(serve, "127.10.0.99", 0)


async def test_swaks_auth_plain(
    record: Recorder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[bytes] = []
    server = await _auth_plain_server(seen)
    port = server.sockets[0].getsockname()[1]
    try:
        async with record(tmp_path / "plain.pcap", "127.10.0.99", port) as pcap:
            code, out = await run(
                "swaks", "--server", f"127.10.0.99:{port}", "--auth", "PLAIN",
                "--auth-user", SCANNER, "--auth-password", PASSWORD,
                "--from", SCANNER, "--to", "bob@contoso.com",
            )  # fmt: skip
    finally:
        server.close()
        await server.wait_closed()
    assert code == 0, out
    code, doc = doctor(capsys, str(pcap))
    assert code == 1
    assert ("auth_plain", "504 5.7.4") in rules(doc)
    assert ("auth_before_starttls", "504 5.7.4") in rules(doc)
    assert doc["streams"][0]["server"]["looks_like"] is None  # not Microsoft: judged on the client
    assert not any(PASSWORD in json.dumps(s) for s in doc["streams"])


async def test_curl_sender_differs_from_login(
    lab: Lab, record: Recorder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    address, port = lab.endpoint("smtp.office365.com", 587)
    keys = tmp_path / "curl-keys.log"
    message = tmp_path / "scan.eml"
    message.write_bytes(b"Subject: scan\r\n\r\nscan\r\n")
    async with record(tmp_path / "curl.pcap", address, port) as pcap:
        code, out = await run(
            "curl", "-sS", f"smtp://smtp.office365.com:{port}",
            "--resolve", f"smtp.office365.com:{port}:{address}", "--ssl-reqd",
            "--cacert", str(lab.context.ca.pem_path), "--mail-from", "other@contoso.com",
            "--mail-rcpt", "bob@contoso.com", "--user", f"{SCANNER}:{PASSWORD}", "-T", str(message),
            env={**os.environ, "SSLKEYLOGFILE": str(keys)},
        )  # fmt: skip
    assert "550" in out
    code, doc = doctor(capsys, str(pcap), "--keylog", str(keys))
    assert code == 1
    assert ("sender_differs_from_login", "550 5.7.60") in rules(doc)
    [finding] = [
        f for f in doc["streams"][0]["findings"] if f["rule"] == "sender_differs_from_login"
    ]
    assert (
        "Add-RecipientPermission -Identity other@contoso.com -Trustee scanner@contoso.com"
        in finding["fix"]
    )
