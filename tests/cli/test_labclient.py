"""exolab.labclient against a real lab on loopback: endpoints.json once, the API, the token service."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from exolab.emulator.api import ApiService
from exolab.emulator.dns import LabDns
from exolab.emulator.entra import EntraService
from exolab.emulator.lab import Service
from exolab.labclient import API_TOKEN_KEY, LabClient, LabClientError, NoLabRunning
from tests.emulator.labs import lab_factory


def services() -> list[Service]:
    return [LabDns(), EntraService(), ApiService()]


def test_no_endpoints_file_is_no_lab(tmp_path: Path) -> None:
    with pytest.raises(NoLabRunning) as raised:
        LabClient.open(tmp_path)
    assert str(raised.value).startswith(f"no lab running at {tmp_path} (")
    (tmp_path / "endpoints.json").write_text("{not json")
    with pytest.raises(LabClientError, match=r"not a readable endpoints\.json"):
        LabClient.open(tmp_path)


async def test_the_lab_as_endpoints_json_describes_it(tmp_path: Path) -> None:
    async with lab_factory(tmp_path, services) as start:
        lab = await start()
        client = LabClient.open(lab.endpoints_path.parent)
        assert client.api_url is not None and client.api_url.startswith("http://127.")
        assert client.ca_pem.read_text().startswith("-----BEGIN CERTIFICATE-----")
        assert client.token_service.host == "login.microsoftonline.com"
        assert client.api_token is not None
        assert await client.ping() is None

        # writes carry the lab's token: the same call without it is refused
        change = {"set": ["App[lab-new-app].DisplayName=Added by the client"]}
        assert (await client.api("POST", "/api/tenant/set", change)).status == 200
        tokenless = dict(client.document)
        del tokenless[API_TOKEN_KEY]
        anonymous = LabClient(client.data_dir, tokenless)
        assert (await anonymous.api("POST", "/api/tenant/set", change)).status == 401

        codes = await client.token_service_call("GET", "/_lab/devicecodes")
        assert codes.ok and codes.body == {"pending": []}


async def test_an_endpoints_file_of_another_lab_or_of_no_lab_is_stale(tmp_path: Path) -> None:
    async with lab_factory(tmp_path, services) as start:
        lab = await start()
        document = json.loads(lab.endpoints_path.read_text())
        elsewhere = LabClient(tmp_path / "copy", {**document, "store": "/elsewhere/lab.sqlite3"})
        why = await elsewhere.ping()
        assert why is not None and "another data directory" in why
    client = LabClient.open(lab.endpoints_path.parent)  # the lab has stopped; the file stays
    with pytest.raises(NoLabRunning, match=r"endpoints\.json is stale"):
        await asyncio.to_thread(client.check_running)
