"""`exolab admin` with Microsoft's HVE cmdlets, against a running lab, judged on real sockets.

The account an administrator creates with ``New-MailUser -HVEAccount`` signs
in at once but cannot send until a billing policy is attached; an app added
with ``Add-HVEAppAccess`` is refused until the lab clock has moved past the
propagation delay (``HighVolumeEmail.AppAccessDelaySeconds``, 5 minutes).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import random
import smtplib
import ssl
from datetime import timedelta
from pathlib import Path

from exolab.cli import main
from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.entra import lab_signing_key
from exolab.emulator.entra.tokens import Subject, build_claims, sign
from exolab.emulator.server import Lab
from exolab.emulator.tenant import load_default_tenant
from exolab.pytest_plugin import started_labs

HVE = "smtp.hve.mx.microsoft"
ACCOUNT, PASSWORD = "copier-hve@contoso.com", "Copier-1!"
APP = "5f0c2a8e-3a51-4c47-9d0e-1b5a6c7d8e90"
TID = "9188040d-6c67-4c5b-b112-36a304b66dad"
NOW = utc(2026, 6, 1, 9, 0)
"""Inside HVE's basic-auth window (it ends in September 2028, lab clock)."""


def admin(lab: Lab, cmdlet: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["admin", cmdlet, "--data", str(lab.context.data_dir)])
    return code, out.getvalue() + err.getvalue()


def connect(lab: Lab) -> smtplib.SMTP:
    address, bound = lab.endpoint(HVE, 587)
    client = smtplib.SMTP(local_hostname="mfp-01", source_address=("127.20.0.10", 0), timeout=10)
    client._host = HVE  # type: ignore[attr-defined]  # SNI and name check for the simulated host
    client.connect(address, bound)
    client.starttls(context=ssl.create_default_context(cafile=str(lab.context.ca.pem_path)))
    client.ehlo()
    return client


def send_basic(lab: Lab) -> tuple[int, str]:
    """235 then the MAIL reply: (code, text)."""
    with connect(lab) as client:
        assert client.login(ACCOUNT, PASSWORD)[0] == 235
        code, text = client.mail(ACCOUNT)
        return code, text.decode()


def auth_xoauth2(lab: Lab, bearer: str) -> tuple[int, str]:
    raw = base64.b64encode(f"user={ACCOUNT}\x01auth=Bearer {bearer}\x01\x01".encode()).decode()
    with connect(lab) as client:
        code, text = client.docmd("AUTH", f"XOAUTH2 {raw}")
        return code, text.decode()


def token(lab: Lab, clock: FixedClock) -> str:
    claims = build_claims(
        tenant_id=TID,
        app_id=APP,
        audience="https://outlook.office365.com",
        subject=Subject("app", "6a1d3c9b-2f4e-4d8a-b7c6-5e4f3a2b1c0d"),
        now=clock.now(),
        lifetime=3600,
        rng=random.Random(1),
        roles=("SMTP.SendAsApp",),
    )
    return sign(claims, lab_signing_key(lab.context.data_dir))


async def test_an_hve_account_made_with_microsofts_cmdlets(tmp_path: Path) -> None:
    clock = FixedClock(NOW)
    async with started_labs(tmp_path) as start:
        lab: Lab = await start(load_default_tenant(), clock=clock)

        async def run_admin(cmdlet: str) -> str:
            code, output = await asyncio.to_thread(admin, lab, cmdlet)
            assert code == 0, output
            return output

        await run_admin(
            f"New-MailUser -HVEAccount -Name Copier -PrimarySmtpAddress {ACCOUNT} "
            f"-Password (ConvertTo-SecureString -String '{PASSWORD}' -AsPlainText -Force)"
        )
        code, text = await asyncio.to_thread(send_basic, lab)
        assert code == 550 and "NoProperBillingPolicyStored" in text

        await run_admin(
            f'Set-HVEAccountBillingPolicy -Identity "{ACCOUNT}" '
            '-BillingPolicyId "11111111-1111-1111-1111-111111111111"'
        )
        assert (await asyncio.to_thread(send_basic, lab))[0] == 250

        output = await run_admin(f'Add-HVEAppAccess -Identity {ACCOUNT} -AppIds "{APP}"')
        assert f"AppAccessChanged={NOW.isoformat()}" in output
        code, text = await asyncio.to_thread(auth_xoauth2, lab, token(lab, clock))
        assert code == 535 and text.startswith("5.7.144 ")  # not in effect yet

        clock.advance(timedelta(minutes=5).total_seconds())
        code, _ = await asyncio.to_thread(auth_xoauth2, lab, token(lab, clock))
        assert code == 235

        eleven = ",".join(f"{n:08d}-1111-4111-8111-111111111111" for n in range(10))
        code, output = await asyncio.to_thread(
            admin, lab, f"Add-HVEAppAccess -Identity {ACCOUNT} -AppIds {eleven}"
        )
        assert code == 2 and "at most 10" in output
