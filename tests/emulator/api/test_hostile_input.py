"""Ids and bodies no store or parser can take get a 400 from the lab API, never a 500."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from exolab.emulator.api import ApiService
from exolab.emulator.server import Lab
from tests.emulator.labs import lab_factory

MAX_ID = 2**63 - 1


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[Lab]:
    async with lab_factory(tmp_path, lambda: [ApiService()]) as start:
        yield await start()


async def get(lab: Lab, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(f"{lab.context.endpoints.api}{path}") as r:
        return r.status, await r.text()


@pytest.mark.parametrize("route", ["/api/messages/{}/raw", "/api/sessions/{}"])
@pytest.mark.parametrize(
    "wanted", [str(MAX_ID + 1), str(2**64), "9" * 5000], ids=["2^63", "2^64", "5000-digits"]
)
async def test_an_id_too_large_for_the_store_is_a_400(lab: Lab, route: str, wanted: str) -> None:
    status, text = await get(lab, route.format(wanted))
    assert status == 400, text
    assert json.loads(text) == {"error": f"an id is a whole number from 0 to {MAX_ID}"}


@pytest.mark.parametrize("route", ["/api/messages/{}/raw", "/api/sessions/{}"])
async def test_the_largest_id_is_looked_up(lab: Lab, route: str) -> None:
    status, text = await get(lab, route.format(MAX_ID))
    assert status == 404 and str(MAX_ID) in json.loads(text)["error"]


@pytest.mark.parametrize("depth", [20_000, 33])
async def test_deeply_nested_json_is_a_400(lab: Lab, depth: int) -> None:
    token = json.loads(lab.endpoints_path.read_text("utf-8"))["api_token"]
    body = b'{"set":' + b"[" * depth + b"]" * depth + b"}"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    url = f"{lab.context.endpoints.api}/api/tenant/set"
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
        assert r.status == 400
        assert "nests deeper than" in (await r.json())["error"]
    status, _ = await get(lab, "/api/tenant")
    assert status == 200


@pytest.mark.parametrize(
    "body", [b"\xff\xfe{", b'{"set": ["Lab.Seed=\xff"]}', b"[]", b"null", b'{"set": "x=1"}']
)
async def test_a_body_that_is_not_the_expected_json_is_a_400(lab: Lab, body: bytes) -> None:
    token = json.loads(lab.endpoints_path.read_text("utf-8"))["api_token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    url = f"{lab.context.endpoints.api}/api/tenant/set"
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
        assert r.status == 400 and "expected" in (await r.json())["error"]
