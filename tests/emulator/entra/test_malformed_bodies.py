"""Bodies the token service cannot read get Entra's 400 JSON, never a 500, over real HTTPS."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from exolab.emulator.clock import FixedClock
from exolab.emulator.tenant import Tenant
from tests.emulator.entra.lab import HOST, RunningLab, running_lab

TID = "9188040d-6c67-4c5b-b112-36a304b66dad"
DEVICE_APP = "a1b2c3d4-0000-4e5f-8a9b-0c1d2e3f4a5b"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
async def lab(data_dir: Path, tenant: Tenant, clock: FixedClock) -> AsyncIterator[RunningLab]:
    async with running_lab(data_dir, tenant, clock) as running:
        yield running


async def post(
    lab: RunningLab, path: str, body: bytes, content_type: str, accept: str = "*/*"
) -> tuple[int, str, Any]:
    ctx = ssl.create_default_context(cafile=str(lab.lab.ca.pem_path))
    headers = {"Host": HOST, "Content-Type": content_type, "Accept": accept}
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"https://{lab.address}:{lab.port}{path}",
            data=body,
            headers=headers,
            ssl=ctx,
            server_hostname=HOST,
        ) as answer,
    ):
        text = await answer.text()
        is_json = answer.content_type == "application/json"
        return answer.status, answer.content_type, (await answer.json()) if is_json else text


def assert_malformed(status: int, content_type: str, body: Any) -> None:
    assert (status, content_type) == (400, "application/json"), body
    assert body["error"] == "invalid_request" and body["error_codes"] == [9002313]
    assert body["error_description"].startswith("AADSTS9002313: Invalid request.")
    assert {"trace_id", "correlation_id", "timestamp", "error_uri"} <= set(body)


@pytest.mark.parametrize(
    "body",
    [
        b"grant_type=client_credentials&client_id=\xff\xfe&scope=x",
        b"grant_type=client_credentials&client_id=%ff%fe&scope=x",
    ],
    ids=["raw-bytes", "percent-encoded"],
)
async def test_invalid_utf8_in_a_token_form(lab: RunningLab, body: bytes) -> None:
    assert_malformed(*await post(lab, f"/{TID}/oauth2/v2.0/token", body, FORM))


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (
            "multipart/form-data; boundary=zzz",
            b'--zzz\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nx\r\n--yyy--',
        ),
        ("multipart/form-data", b"grant_type=client_credentials"),
    ],
    ids=["wrong-closing-boundary", "no-boundary"],
)
async def test_multipart_with_a_broken_boundary(
    lab: RunningLab, content_type: str, body: bytes
) -> None:
    assert_malformed(*await post(lab, f"/{TID}/oauth2/v2.0/token", body, content_type))


@pytest.mark.parametrize("scope", [b"https://outlook.office.com/SMTP.Send \xff", b"%ed%a0%80"])
async def test_invalid_utf8_in_a_device_code_scope(lab: RunningLab, scope: bytes) -> None:
    body = b"client_id=" + DEVICE_APP.encode() + b"&scope=" + scope
    assert_malformed(*await post(lab, f"/{TID}/oauth2/v2.0/devicecode", body, FORM))


async def test_the_sign_in_page_refuses_an_unreadable_form(lab: RunningLab) -> None:
    path = "/common/oauth2/deviceauth"
    status, content_type, page = await post(lab, path, b"otc=\xff&user=a", FORM)
    assert (status, content_type) == (400, "text/html") and "could not be read" in page
    accept = "application/json"
    assert_malformed(*await post(lab, path, b"otc=\xff", FORM, accept=accept))


async def test_a_readable_form_still_works_after_bad_ones(lab: RunningLab) -> None:
    await post(lab, f"/{TID}/oauth2/v2.0/token", b"client_id=\xff", FORM)
    body = (
        b"client_id=" + DEVICE_APP.encode() + b"&scope=https%3A%2F%2Foutlook.office.com%2FSMTP.Send"
    )
    status, _, answer = await post(lab, f"/{TID}/oauth2/v2.0/devicecode", body, FORM)
    assert status == 200 and answer["user_code"]
