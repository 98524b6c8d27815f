"""The lab REST API over real HTTP, against a real lab on ephemeral ports."""

from __future__ import annotations

import asyncio
import json
import smtplib
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from exolab.emulator.api import ApiService
from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.lab import PortPlan
from exolab.emulator.server import Lab
from exolab.emulator.smtp.submission import SubmissionService
from exolab.emulator.tenant import load_default_tenant
from tests.emulator.labs import sessions_recorded


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[Lab]:
    started = await Lab.start(
        load_default_tenant(),
        tmp_path / "lab",
        ports=PortPlan(ephemeral=True),
        clock=FixedClock(utc(2026, 11, 27, 9, 30)),
        services=[SubmissionService(), ApiService()],
    )
    yield started
    await started.stop()


def _auth(lab: Lab) -> dict[str, str]:
    """The header a holder of the lab's token (endpoints.json ``api_token``) sends."""
    token = json.loads(lab.endpoints_path.read_text("utf-8"))["api_token"]
    return {"Authorization": f"Bearer {token}"}


async def _get(lab: Lab, path: str, *, token: bool = False) -> tuple[int, Any]:
    url = f"{lab.context.endpoints.api}{path}"
    headers = _auth(lab) if token else {}
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as r:
        if r.content_type == "application/json":
            return r.status, await r.json()
        return r.status, await r.read()


async def _post(lab: Lab, path: str, body: object) -> tuple[int, Any]:
    url = f"{lab.context.endpoints.api}{path}"
    async with aiohttp.ClientSession() as http, http.post(url, json=body, headers=_auth(lab)) as r:
        return r.status, await r.json()


def _submit(lab: Lab, user: str, password: str) -> None:
    """A licensed user submits one message with Python's smtplib (STARTTLS, AUTH LOGIN)."""
    host, port = lab.endpoint("smtp.office365.com", 587)
    context = ssl.create_default_context(cafile=str(lab.context.ca.pem_path))
    context.check_hostname = False
    with smtplib.SMTP(host, port, timeout=10) as client:
        client.starttls(context=context)
        client.login(user, password)
        client.sendmail(
            user,
            ["bob@contoso.com"],
            b"From: " + user.encode() + b"\r\nSubject: via API test\r\n\r\nhello\r\n",
        )


async def test_endpoints_match_the_file(lab: Lab) -> None:
    status, body = await _get(lab, "/api/endpoints", token=True)
    assert status == 200
    assert body == json.loads(lab.endpoints_path.read_text("utf-8"))
    assert body["api"] == lab.context.endpoints.api


async def test_live_set_changes_what_the_next_session_sees(lab: Lab) -> None:
    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        await asyncio.to_thread(_submit, lab, "alice@contoso.com", "Alice-Pass-1")
    assert refused.value.smtp_code == 535 and b"disabled for the Tenant" in refused.value.smtp_error

    status, body = await _post(
        lab, "/api/tenant/set", {"set": ["TransportConfig.SmtpClientAuthenticationDisabled=false"]}
    )
    assert (status, body["ok"]) == (200, True)
    await asyncio.to_thread(_submit, lab, "alice@contoso.com", "Alice-Pass-1")

    status, tenant = await _get(lab, "/api/tenant")
    assert tenant["TransportConfig"]["SmtpClientAuthenticationDisabled"] is False

    status, messages = await _get(lab, "/api/messages?mailbox=bob@contoso.com")
    assert [(m["folder"], m["subject"]) for m in messages] == [("Inbox", "via API test")]
    status, raw = await _get(lab, f"/api/messages/{messages[0]['id']}/raw")
    assert status == 200 and b"hello" in raw

    await sessions_recorded(lab, 2)  # a session is written when its connection has closed
    status, sessions = await _get(lab, "/api/sessions")
    assert len(sessions) == 2
    assert sessions[1]["identity"] == "alice@contoso.com"
    status, one = await _get(lab, f"/api/sessions/{sessions[0]['id']}")
    assert one["transcript"][0]["line"].startswith("220 ")


async def test_bad_set_names_the_key_and_changes_nothing(lab: Lab) -> None:
    before = lab.context.tenant
    status, body = await _post(lab, "/api/tenant/set", {"set": ["TransportConfig.Nope=true"]})
    assert status == 400
    assert body["key"] == "TransportConfig.Nope" and "unknown setting" in body["error"]
    assert lab.context.tenant is before
    status, body = await _post(lab, "/api/tenant/set", {"wrong": 1})
    assert status == 400 and "Key=Value" in body["error"]


async def test_missing_records_are_404_and_page_lists_mailboxes(lab: Lab) -> None:
    assert (await _get(lab, "/api/messages/999/raw"))[0] == 404
    assert (await _get(lab, "/api/sessions/999"))[0] == 404
    status, page = await _get(lab, "/")
    assert status == 200 and b"scanner@contoso.com" in page and b"Junk Email" in page


async def test_apps_command_reads_the_running_labs_tenant(
    lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    from exolab.cli import main

    await _post(lab, "/api/tenant/set", {"set": ["App[lab-new-app].DisplayName=Added live"]})
    data_dir = str(lab.endpoints_path.parent)
    code = await asyncio.to_thread(main, ["apps", "--json", "--data", data_dir])
    assert code == 0
    shown = json.loads(capsys.readouterr().out)
    assert "Added live" in [app["DisplayName"] for app in shown["App"]]
