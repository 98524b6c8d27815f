"""`exolab doctor` on tcpdump captures of real clients talking to Debian's Postfix, not to the lab.

Findings are judged from what the client did, so a device sending through an
old on-premises relay is told what Exchange Online would answer: the relay
here accepts AUTH PLAIN in the clear and relays anything from loopback.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from exolab.cli import main
from tests.scenarios.doctor.conftest import Recorder, run
from tests.scenarios.doctor.postfix import PASSWORD, USER, postfix

pytestmark = pytest.mark.external
MX = "contoso-com.mail.protection.outlook.com"


def doctor(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["doctor", *argv, "--json"])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return code, json.loads(out)


def rules(doc: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(f["rule"], f["reply"]) for s in doc["streams"] for f in s["findings"]]


async def test_swaks_auth_plain_in_the_clear_to_postfix(
    record: Recorder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with postfix() as relay:
        async with record(tmp_path / "plain.pcap", relay.address, relay.port) as pcap:
            code, out = await run(
                "swaks", "--server", f"{relay.address}:{relay.port}", "--ehlo", "mfp-01",
                "--auth", "PLAIN", "--auth-user", USER, "--auth-password", PASSWORD,
                "--from", USER, "--to", "bob@contoso.com",
            )  # fmt: skip
        log = relay.log
    assert code == 0 and "235 2.7.0 Authentication successful" in out, out + log
    code, doc = doctor(capsys, str(pcap))
    assert code == 1
    [stream] = doc["streams"]
    assert stream["server"]["looks_like"] is None  # Postfix: judged on the client alone
    assert ("auth_before_starttls", "504 5.7.4") in rules(doc)
    assert ("auth_plain", "504 5.7.4") in rules(doc)
    assert PASSWORD not in json.dumps(doc)


async def _curl(
    relay_address: str, port: int, tmp_path: Path, name: str, sender: str, rcpt: str
) -> tuple[int, str, Path]:
    keys = tmp_path / f"{name}-keys.log"
    message = tmp_path / f"{name}.eml"
    message.write_bytes(f"From: {sender}\r\nTo: {rcpt}\r\nSubject: scan\r\n\r\nscan\r\n".encode())
    code, out = await run(
        "curl", "-sS", "-k", f"smtp://{MX}:{port}", "--resolve", f"{MX}:{port}:{relay_address}",
        "--ssl-reqd", "--mail-from", sender, "--mail-rcpt", rcpt, "-T", str(message),
        env={**os.environ, "SSLKEYLOGFILE": str(keys)},
    )  # fmt: skip
    return code, out, keys


async def test_curl_direct_send_outside_through_postfix(
    record: Recorder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A device told the MX name (SNI) and sending with no AUTH to an outside recipient: the
    relay takes it, Exchange's MX would not (550 5.7.64); a recipient inside gets no finding."""
    async with postfix() as relay:
        async with record(tmp_path / "direct.pcap", relay.address, relay.port) as pcap:
            code, out, keys = await _curl(
                relay.address, relay.port, tmp_path, "out", USER, "someone@fabrikam.com"
            )
        assert code == 0, out + relay.log
        async with record(tmp_path / "inside.pcap", relay.address, relay.port) as good:
            code, out, good_keys = await _curl(
                relay.address, relay.port, tmp_path, "in", USER, "bob@contoso.com"
            )
        assert code == 0, out + relay.log
    code, doc = doctor(capsys, str(pcap), "--keylog", str(keys))
    [stream] = doc["streams"]
    assert stream["server"]["looks_like"] == MX and stream["tls"]["decrypted"]
    assert stream["tls"]["client_max_version"] == "TLS 1.3" and stream["tls"]["sni"] == MX
    assert code == 1 and rules(doc) == [("direct_send_external", "550 5.7.64")]
    code, doc = doctor(capsys, str(good), "--keylog", str(good_keys))
    assert code == 0, rules(doc)
    lines = [line["line"] for line in doc["streams"][0]["smtp"] if line["encrypted"]]
    assert any(line.startswith("250 2.0.0 Ok: queued as") for line in lines), lines
