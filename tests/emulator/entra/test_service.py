"""The token service over real HTTPS on the lab address: aiohttp client and curl."""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import pytest

from exolab.emulator.clock import FixedClock
from exolab.emulator.entra import lab_public_keys
from exolab.emulator.entra.keys import public_keys_from_jwks
from exolab.emulator.tenant import Tenant
from tests.emulator.entra.lab import HOST, RunningLab, running_lab

TID = "9188040d-6c67-4c5b-b112-36a304b66dad"
APP_ONLY = "5f0c2a8e-3a51-4c47-9d0e-1b5a6c7d8e90"
SECRET = "lab-secret-Xk7~scan.app"
DEVICE_APP = "a1b2c3d4-0000-4e5f-8a9b-0c1d2e3f4a5b"


@pytest.fixture
async def lab(data_dir: Path, tenant: Tenant, clock: FixedClock) -> AsyncIterator[RunningLab]:
    async with running_lab(data_dir, tenant, clock) as running:
        yield running


async def request(
    lab: RunningLab, method: str, path: str, form: dict[str, str] | None = None, **kw: Any
) -> tuple[int, Any, str]:
    ctx = ssl.create_default_context(cafile=str(lab.lab.ca.pem_path))
    url = f"https://{lab.address}:{lab.port}{path}"
    headers = kw.pop("headers", {"Host": HOST})
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method, url, data=form, ssl=ctx, server_hostname=HOST, headers=headers, **kw
        ) as resp,
    ):
        text = await resp.text()
        ctype = resp.headers.get("Content-Type", "")
        return resp.status, json.loads(text) if "json" in ctype else text, ctype


async def test_endpoint_is_registered_on_the_lab_address(lab: RunningLab) -> None:
    entry = lab.lab.endpoints.hosts[HOST]
    assert entry["address"] == "127.10.0.4"
    assert lab.port > 0


async def test_client_credentials_over_https(lab: RunningLab, data_dir: Path) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": APP_ONLY,
        "client_secret": SECRET,
        "scope": "https://outlook.office365.com/.default",
    }
    status, body, ctype = await request(lab, "POST", f"/{TID}/oauth2/v2.0/token", form)
    assert status == 200, body
    assert ctype.startswith("application/json")
    keys = lab_public_keys(data_dir)
    kid = jwt.get_unverified_header(body["access_token"])["kid"]
    claims = jwt.decode(
        body["access_token"],
        keys[kid],
        algorithms=["RS256"],
        audience="https://outlook.office365.com",
        options={"verify_exp": False},
    )
    assert claims["roles"] == ["SMTP.SendAsApp"]


def basic(user: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}", "Host": HOST}


async def test_client_secret_basic_and_bad_secret(lab: RunningLab) -> None:
    form = {"grant_type": "client_credentials", "scope": "https://outlook.office365.com/.default"}
    path = "/contoso.com/oauth2/v2.0/token"
    status, body, _ = await request(lab, "POST", path, form, headers=basic(APP_ONLY, SECRET))
    assert status == 200, body
    status, body, _ = await request(lab, "POST", path, form, headers=basic(APP_ONLY, "wrong"))
    assert (status, body["error"], body["error_codes"]) == (401, "invalid_client", [7000215])


async def test_discovery_and_jwks_match_the_signing_key(lab: RunningLab, data_dir: Path) -> None:
    status, doc, _ = await request(lab, "GET", f"/{TID}/v2.0/.well-known/openid-configuration")
    assert status == 200
    assert doc["issuer"] == f"https://login.microsoftonline.com/{TID}/v2.0"
    assert doc["token_endpoint"] == f"https://{HOST}/{TID}/oauth2/v2.0/token"
    assert doc["device_authorization_endpoint"].endswith("/oauth2/v2.0/devicecode")
    _, common, _ = await request(lab, "GET", "/common/v2.0/.well-known/openid-configuration")
    assert common["issuer"] == "https://login.microsoftonline.com/{tenantid}/v2.0"
    status, keys, _ = await request(lab, "GET", "/organizations/discovery/v2.0/keys")
    assert status == 200
    assert public_keys_from_jwks(keys).keys() == lab_public_keys(data_dir).keys()
    status, body, _ = await request(lab, "GET", "/fabrikam.com/discovery/v2.0/keys")
    assert (status, body["error_codes"]) == (400, [90002])


async def test_device_code_approved_on_the_page(lab: RunningLab) -> None:
    form = {"client_id": DEVICE_APP, "scope": "https://outlook.office.com/SMTP.Send offline_access"}
    status, start, _ = await request(lab, "POST", "/organizations/oauth2/v2.0/devicecode", form)
    assert status == 200, start
    status, page, ctype = await request(lab, "GET", "/common/oauth2/deviceauth")
    assert status == 200 and ctype.startswith("text/html") and "Enter code" in page
    status, pending, _ = await request(lab, "GET", "/_lab/devicecodes")
    assert [p["user_code"] for p in pending["pending"]] == [start["user_code"]]
    approve = {"otc": start["user_code"], "user": "alice@contoso.com"}
    status, page, _ = await request(lab, "POST", "/common/oauth2/deviceauth", approve)
    assert status == 200 and "alice@contoso.com signed in" in page
    poll = {
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        "client_id": DEVICE_APP,
        "device_code": start["device_code"],
    }
    status, body, _ = await request(lab, "POST", "/organizations/oauth2/v2.0/token", poll)
    assert status == 200, body
    assert body["refresh_token"]


async def test_the_page_escapes_what_it_echoes(lab: RunningLab) -> None:
    approve = {"otc": "<script>x</script>", "user": "a@b.c"}
    status, page, _ = await request(lab, "POST", "/common/oauth2/deviceauth", approve)
    assert status == 400
    assert "<script>" not in page and "&lt;script&gt;" in page


async def test_json_approval_for_the_cli(lab: RunningLab) -> None:
    headers = {"Accept": "application/json"}
    approve = {"user_code": "NOPE12345", "user": "alice@contoso.com"}
    status, body, _ = await request(
        lab, "POST", "/common/oauth2/deviceauth", approve, headers=headers | {"Host": HOST}
    )
    assert status == 400 and body["ok"] is False


async def test_the_key_survives_a_restart(
    data_dir: Path, tenant: Tenant, clock: FixedClock
) -> None:
    async with running_lab(data_dir, tenant, clock) as first:
        kid = first.entra.endpoint.key.kid if first.entra.endpoint else None
    async with running_lab(data_dir, tenant, clock) as second:
        assert second.entra.endpoint is not None and second.entra.endpoint.key.kid == kid


@pytest.mark.external
async def test_curl_gets_a_token(lab: RunningLab) -> None:
    args = [
        "curl", "--silent", "--show-error",
        "--cacert", str(lab.lab.ca.pem_path),
        "--resolve", f"{HOST}:{lab.port}:{lab.address}",
        "--data-urlencode", "grant_type=client_credentials",
        "--data-urlencode", f"client_id={APP_ONLY}",
        "--data-urlencode", f"client_secret={SECRET}",
        "--data-urlencode", "scope=https://outlook.office365.com/.default",
        f"{lab.base}/contoso.com/oauth2/v2.0/token",
    ]  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    body = json.loads(out)
    assert body["token_type"] == "Bearer" and body["access_token"].count(".") == 2
