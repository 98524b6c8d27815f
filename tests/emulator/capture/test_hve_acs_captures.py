"""The HVE and ACS front ends are recorded as the submission hosts are: a pcap and its TLS keys."""

from __future__ import annotations

import asyncio
import json
import smtplib
from pathlib import Path

import pytest

from exolab.cli import main
from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.server import Lab
from exolab.emulator.smtp.acs import AcsService
from exolab.emulator.smtp.hve import HveService
from tests.emulator import labs
from tests.emulator.smtp.conftest import FAST, client_context

HVE = ("smtp.hve.mx.microsoft", "scan-hve@contoso.com", "Hve-Scan-1!", "scan-hve@contoso.com")
ACS = ("smtp.azurecomm.net", "acs-scanner", "lab-acs-secret~1", "DoNotReply@notify.contoso.com")


def send(lab: Lab, host: str, user: str, secret: str, sender: str) -> None:
    address, bound = lab.endpoint(host, 587)
    client = smtplib.SMTP(local_hostname="mfp-01", timeout=20)
    client._host = host  # type: ignore[attr-defined]  # SNI and name check for the simulated host
    with client:
        client.connect(address, bound)
        client.starttls(context=client_context(lab))
        client.login(user, secret)
        body = f"From: {sender}\r\nTo: bob@contoso.com\r\nSubject: Scan\r\n\r\npage\r\n"
        client.sendmail(sender, ["bob@contoso.com"], body.encode())


async def captured(lab: Lab, session_id: int) -> Path:
    pcap = lab.context.data_dir / "captures" / f"{session_id}.pcap"
    for _ in range(500):  # renamed when the connection is lost, just after the session record
        if pcap.exists():
            break
        await asyncio.sleep(0.01)
    return pcap


@pytest.mark.parametrize("front", [HVE, ACS], ids=["hve", "acs"])
async def test_hve_and_acs_sessions_are_captured_with_their_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], front: tuple[str, str, str, str]
) -> None:
    host, user, secret, sender = front
    async with labs.lab_factory(tmp_path, lambda: [HveService(), AcsService()], *FAST) as start:
        # HVE's basic auth ends in September 2028 (lab clock): a day inside it, whatever the suite's date
        lab = await start("Lab.Capture=true", clock=FixedClock(utc(2026, 6, 1, 9, 0)))
        await asyncio.to_thread(send, lab, host, user, secret, sender)
        [session] = await labs.sessions_recorded(lab)
        pcap = await captured(lab, session.id)
    keys = pcap.with_suffix(".keys")
    assert pcap.exists() and keys.exists()
    capsys.readouterr()
    assert main(["doctor", str(pcap), "--keylog", str(keys), "--json"]) in (0, 1)
    [stream] = json.loads(capsys.readouterr().out)["streams"]
    assert stream["tls"]["decrypted"] and stream["tls"]["sni"] == host
    lines = [line["line"] for line in stream["smtp"] if line["dir"] == "S"]
    assert any(line.startswith("235 2.7.0") for line in lines), lines
    assert any(line.startswith("250 2.0.0 OK <") for line in lines), lines  # queued
