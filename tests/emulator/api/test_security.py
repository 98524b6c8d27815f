"""Who may read and change a running lab through its API, over real HTTP on loopback."""

from __future__ import annotations

import json
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import dns.asyncquery
import dns.message
import pytest

from exolab.emulator.api import ApiService
from exolab.emulator.dns import LabDns
from exolab.emulator.server import Lab
from tests.emulator.labs import LabFactory, lab_factory

SETTING = "TransportConfig.SmtpClientAuthenticationDisabled"


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[LabFactory]:
    async with lab_factory(tmp_path, lambda: [LabDns(), ApiService()]) as factory:
        yield factory


@pytest.fixture
async def lab(start: LabFactory) -> Lab:
    return await start()


def token_of(lab: Lab) -> str:
    token = json.loads(lab.endpoints_path.read_text("utf-8"))["api_token"]
    assert isinstance(token, str)
    return token


async def call(
    lab: Lab,
    method: str,
    path: str,
    *,
    token: str | None = None,
    body: bytes | None = None,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    sent = dict(headers or {})
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    if body is not None:
        sent["Content-Type"] = content_type
    url = f"{lab.context.endpoints.api}{path}"
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, url, data=body, headers=sent) as answer,
    ):
        if answer.content_type == "application/json":
            return answer.status, await answer.json()
        return answer.status, await answer.read()


def set_body(*items: str) -> bytes:
    return json.dumps({"set": list(items)}).encode()


async def test_endpoints_json_holds_a_token_only_its_owner_can_read(lab: Lab) -> None:
    token = token_of(lab)
    assert len(token) >= 32
    assert stat.S_IMODE(lab.endpoints_path.stat().st_mode) == 0o600


async def test_the_api_listens_on_loopback_when_the_lab_range_is_not(tmp_path: Path) -> None:
    async with lab_factory(tmp_path / "lan", lambda: [ApiService()]) as start_api_only:
        lab = await start_api_only("Lab.AddressRange=198.18.0.0/24")
        assert lab.context.endpoints.api is not None
        assert lab.context.endpoints.api.startswith("http://127.0.0.1:")
        assert (await call(lab, "GET", "/api/endpoints"))[0] == 200


async def test_lab_api_address_moves_it(start: LabFactory) -> None:
    lab = await start("Lab.ApiAddress=127.0.0.2")
    assert lab.context.endpoints.api is not None
    assert lab.context.endpoints.api.startswith("http://127.0.0.2:")
    assert (await call(lab, "GET", "/api/tenant"))[0] == 200


async def test_a_write_needs_the_token(lab: Lab) -> None:
    before = lab.context.tenant
    for token in (None, "not-the-token", ""):
        status, answer = await call(
            lab, "POST", "/api/tenant/set", token=token, body=set_body(f"{SETTING}=false")
        )
        assert status == 401 and "api_token" in answer["error"]
    assert lab.context.tenant is before


async def test_a_write_needs_a_json_content_type(lab: Lab) -> None:
    before = lab.context.tenant
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        status, answer = await call(
            lab,
            "POST",
            "/api/tenant/set",
            token=token_of(lab),
            body=set_body(f"{SETTING}=false"),
            content_type=content_type,
        )
        assert status == 415 and "application/json" in answer["error"]
    assert lab.context.tenant is before
    status, _ = await call(
        lab, "POST", "/api/tenant/set", token=token_of(lab), body=set_body(f"{SETTING}=false")
    )
    assert (
        status == 200
        and lab.context.tenant.transport_config.smtp_client_authentication_disabled is False
    )


async def test_a_foreign_origin_cannot_write(lab: Lab) -> None:
    before = lab.context.tenant
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
    ):
        status, _ = await call(
            lab,
            "POST",
            "/api/tenant/set",
            token=token_of(lab),
            body=set_body(f"{SETTING}=false"),
            headers=headers,
        )
        assert status == 403, headers
    assert lab.context.tenant is before
    own = lab.context.endpoints.api
    assert own is not None
    status, _ = await call(
        lab,
        "POST",
        "/api/tenant/set",
        token=token_of(lab),
        body=set_body(f"{SETTING}=false"),
        headers={"Origin": own, "Sec-Fetch-Site": "same-origin"},
    )
    assert status == 200


async def test_a_rebound_host_name_is_refused_for_reads_and_writes(lab: Lab) -> None:
    port = lab.context.endpoints.api.rsplit(":", 1)[1]  # type: ignore[union-attr]
    rebound = {"Host": f"evil.example:{port}"}
    status, answer = await call(lab, "GET", "/api/tenant", headers=rebound)
    assert status == 403 and "evil.example" in answer["error"]
    status, _ = await call(
        lab,
        "POST",
        "/api/tenant/set",
        token=token_of(lab),
        body=set_body(f"{SETTING}=false"),
        headers=rebound,
    )
    assert status == 403
    assert (await call(lab, "GET", "/api/tenant", headers={"Host": f"localhost:{port}"}))[0] == 200


async def test_secrets_only_with_the_token(lab: Lab) -> None:
    status, shown = await call(lab, "GET", "/api/tenant")
    assert status == 200
    scanner = next(m for m in shown["Mailbox"] if m["PrimarySmtpAddress"] == "scanner@contoso.com")
    assert scanner["Password"] == "(redacted)"
    secrets = [a["ClientSecret"] for a in shown["App"] if a["ClientSecret"] is not None]
    assert secrets and set(secrets) == {"(redacted)"}
    assert "Scan-2-Mail!" not in json.dumps(shown)
    _, endpoints = await call(lab, "GET", "/api/endpoints")
    assert endpoints["api_token"] == "(redacted)"

    status, full = await call(lab, "GET", "/api/tenant", token=token_of(lab))
    scanner = next(m for m in full["Mailbox"] if m["PrimarySmtpAddress"] == "scanner@contoso.com")
    assert scanner["Password"] == "Scan-2-Mail!"
    assert (await call(lab, "GET", "/api/tenant", token="wrong"))[1]["Mailbox"] == shown["Mailbox"]


async def test_an_invalid_live_value_is_a_400_naming_the_key_and_dns_keeps_answering(
    lab: Lab,
) -> None:
    before = lab.context.tenant
    status, answer = await call(
        lab,
        "POST",
        "/api/tenant/set",
        token=token_of(lab),
        body=set_body("Lab.AddressRange=999.0.0.0/99"),
    )
    assert status == 400 and answer["key"] == "Lab.AddressRange"
    assert "IPv4 network" in answer["error"]
    assert lab.context.tenant is before
    address, port = lab.context.dns_server
    query = dns.message.make_query("smtp.office365.com", "A")
    reply = await dns.asyncquery.udp(query, address, port=port, timeout=5)
    assert [r.address for r in reply.answer[0]] == ["127.10.0.1"]


async def test_a_setting_read_at_start_cannot_change_live(lab: Lab) -> None:
    before = lab.context.tenant
    for item in ("Lab.AddressRange=127.11.0.0/24", "Lab.ApiAddress=0.0.0.0"):
        status, answer = await call(
            lab, "POST", "/api/tenant/set", token=token_of(lab), body=set_body(item)
        )
        assert status == 400 and answer["key"] == item.split("=")[0]
        assert "restart" in answer["error"]
    assert lab.context.tenant is before
