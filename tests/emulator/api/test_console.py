"""The console's routes over real HTTP against a real lab: live events, the clock, reset."""

from __future__ import annotations

import asyncio
import json
import smtplib
from typing import Any

import aiohttp
import pytest

from exolab.emulator.clock import utc
from exolab.emulator.server import Lab
from tests.emulator.labs import scanner_sends_one, sessions_recorded, submission_client


@pytest.fixture
def lab(console_lab: Lab) -> Lab:
    return console_lab


def _token(lab: Lab) -> str:
    return str(json.loads(lab.endpoints_path.read_text("utf-8"))["api_token"])


async def _call(lab: Lab, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    url = f"{lab.context.endpoints.api}{path}"
    headers = {"Authorization": f"Bearer {_token(lab)}"}
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, url, json=body, headers=headers) as r,
    ):
        return r.status, await r.json()


def _login(lab: Lab) -> bytes:
    """One AUTH LOGIN as a device does it; the reply's text (or b'' when accepted)."""
    with submission_client(lab) as client:
        try:
            client.login("alice@contoso.com", "Alice-Pass-1")
        except smtplib.SMTPAuthenticationError as refused:
            error = refused.smtp_error
            return error if isinstance(error, bytes) else error.encode()
    return b""


async def _next_event(lines: aiohttp.StreamReader, kind: str) -> dict[str, Any]:
    current = ""
    while True:
        line = (await lines.readline()).decode()
        if line.startswith("event: "):
            current = line[7:].strip()
        elif line.startswith("data: ") and current == kind:
            return dict(json.loads(line[6:]))


async def test_a_session_reaches_an_open_event_stream_explained_in_japanese(lab: Lab) -> None:
    url = f"{lab.context.endpoints.api}/api/console/events?lang=ja"
    async with aiohttp.ClientSession() as http, http.get(url) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        await _next_event(stream.content, "hello")
        refused = await asyncio.to_thread(_login, lab)
        assert b"disabled for the Tenant" in refused
        event = await asyncio.wait_for(_next_event(stream.content, "session"), 30)
    assert event["identity"] in (None, "alice@contoso.com")
    decided = event["decided"]
    assert decided["stage"] == "AUTH" and decided["wrong"]
    assert "テナント" in decided["meaning"] or "無効" in decided["meaning"], decided


async def test_the_japanese_page_shows_the_outcome_in_japanese_with_the_reply_as_sent(
    lab: Lab,
) -> None:
    refused = await asyncio.to_thread(_login, lab)
    assert refused
    await sessions_recorded(lab, 1)
    _, ja = await _call(lab, "GET", "/api/console/state?lang=ja")
    _, en = await _call(lab, "GET", "/api/console/state?lang=en")
    [session] = ja["sessions"]
    assert session["outcome"].startswith("refused: 535 ")
    reply = session["outcome"].removeprefix("refused: ")
    assert session["outcome_text"] == f"拒否: {reply}"
    assert en["sessions"][0]["outcome_text"] == session["outcome"]
    _, detail = await _call(lab, "GET", f"/api/console/sessions/{session['id']}?lang=ja")
    assert detail["outcome_text"] == f"拒否: {reply}"


async def test_lab_as_of_set_live_moves_the_clock(lab: Lab) -> None:
    status, _ = await _call(
        lab, "POST", "/api/tenant/set", {"set": ["Lab.AsOf=2027-01-15T09:00:00Z"]}
    )
    assert status == 200
    assert lab.context.clock.now() == utc(2027, 1, 15, 9)
    status, state = await _call(lab, "GET", "/api/console/state")
    assert state["clock"]["now"].startswith("2027-01-15T09:00")
    status, _ = await _call(lab, "POST", "/api/console/clock", {"as_of": "2028-02-01"})
    assert status == 200 and lab.context.clock.now() == utc(2028, 2, 1)
    status, _ = await _call(lab, "POST", "/api/console/clock", {"as_of": "not a date"})
    assert status == 400


async def test_flipping_a_switch_changes_the_next_auth_and_reset_restores(lab: Lab) -> None:
    status, state = await _call(lab, "GET", "/api/console/state?lang=ja")
    key = "Mailbox[alice@contoso.com].SmtpClientAuthenticationDisabled"
    switch = next(s for s in state["switches"] if s["key"] == key)
    assert switch["label"] == "認証済み SMTP" and switch["on"] is False
    status, _ = await _call(lab, "POST", "/api/tenant/set", {"set": [f"{key}=false"]})
    assert status == 200
    assert await asyncio.to_thread(_login, lab) == b""
    assert len(await sessions_recorded(lab, 1)) == 1  # written before the reset empties the store
    status, _ = await _call(lab, "POST", "/api/console/reset", {})
    assert status == 400  # no confirmation, no reset
    status, _ = await _call(lab, "POST", "/api/console/reset", {"confirm": "reset"})
    assert status == 200
    assert lab.context.store.sessions() == [] and lab.context.store.messages() == []
    assert b"disabled" in await asyncio.to_thread(_login, lab)


async def test_console_writes_need_the_token_and_the_page_carries_no_data(lab: Lab) -> None:
    base = lab.context.endpoints.api
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/api/console/reset", json={"confirm": "reset"}) as r:
            assert r.status == 401
        async with http.get(f"{base}/console") as r:
            page = await r.text()
            assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        assert "contoso" not in page and '<script src="/console/console.js"' in page


async def test_a_fault_that_fired_is_on_the_session_event_and_the_rules_are_listed(
    lab: Lab,
) -> None:
    url = f"{lab.context.endpoints.api}/api/console/events?lang=ja"
    rule = {"fault": {"Name": "busy", "Stage": "eod", "Reply": "4.7.500", "Count": 1}}
    async with aiohttp.ClientSession() as http, http.get(url) as stream:
        await _next_event(stream.content, "hello")
        status, _ = await _call(lab, "POST", "/api/faults", rule)
        assert status == 200
        listed = await asyncio.wait_for(_next_event(stream.content, "faults"), 30)
        assert [r["Name"] for r in listed["rules"]] == ["busy"]
        assert await asyncio.to_thread(scanner_sends_one, lab) == 451
        event = await asyncio.wait_for(_next_event(stream.content, "session"), 30)
    (fired,) = event["faults"]
    assert (fired["name"], fired["stage"], fired["action"], fired["reply"], fired["nth"]) == (
        "busy", "eod", "reply", "4.7.500", 1,
    )  # fmt: skip
    status, detail = await _call(lab, "GET", f"/api/console/sessions/{event['id']}?lang=ja")
    assert status == 200 and detail["faults"] == event["faults"]
    status, state = await _call(lab, "GET", "/api/console/state")
    (shown,) = state["fault_rules"]
    assert (shown["Name"], shown["Fired"]) == ("busy", 1)
    assert state["sessions"][-1]["faults"] == event["faults"]
