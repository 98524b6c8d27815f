"""A recorded session's capture in the API: the session JSON names it, the page links to it,
and the two download routes serve only files of the lab's captures folder."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from exolab.cli import main
from exolab.emulator.api import ApiService
from exolab.emulator.server import Lab
from exolab.emulator.smtp.submission import SubmissionService
from tests.emulator import labs
from tests.emulator.api.test_api import _auth, _submit

FAST = ("Lab.UnknownCommandDelay=0", "Lab.Port465Hold=0.3")


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[labs.LabFactory]:
    async with labs.lab_factory(
        tmp_path, lambda: [SubmissionService(), ApiService()], *FAST
    ) as factory:
        yield factory


async def _fetch(lab: Lab, path: str, *, token: bool = False) -> tuple[int, bytes, Any]:
    url = f"{lab.context.endpoints.api}{path}"
    headers = _auth(lab) if token else {}
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as r:
        return r.status, await r.read(), r.headers


async def _recorded(lab: Lab) -> int:
    [session] = await labs.sessions_recorded(lab)
    pcap = lab.context.data_dir / "captures" / f"{session.id}.pcap"
    for _ in range(500):  # renamed when the connection is lost, just after the session record
        if pcap.exists():
            break
        await asyncio.sleep(0.01)
    return session.id


async def test_session_json_names_the_capture_and_the_page_links_it(
    start: labs.LabFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = await start("Lab.Capture=true")
    await asyncio.to_thread(_submit, lab, "scanner@contoso.com", "Scan-2-Mail!")
    sid = await _recorded(lab)
    folder = lab.context.data_dir / "captures"
    status, body, _ = await _fetch(lab, "/api/sessions")
    [shape] = json.loads(body)
    assert shape["capture"] == {
        "pcap": str(folder / f"{sid}.pcap"),
        "keylog": str(folder / f"{sid}.keys"),
        "pcap_url": f"/api/sessions/{sid}/capture.pcap",
        "keylog_url": f"/api/sessions/{sid}/capture.keys",
    }
    _, one, _ = await _fetch(lab, f"/api/sessions/{sid}")
    assert json.loads(one)["capture"] == shape["capture"]
    _, page, _ = await _fetch(lab, "/")
    assert f"href='/api/sessions/{sid}/capture.pcap'" in page.decode()
    assert f"href='/api/sessions/{sid}/capture.keys'" in page.decode()

    status, pcap, headers = await _fetch(lab, shape["capture"]["pcap_url"])
    assert status == 200 and pcap == (folder / f"{sid}.pcap").read_bytes()
    assert headers["Content-Type"] == "application/vnd.tcpdump.pcap"
    assert f'filename="{sid}.pcap"' in headers["Content-Disposition"]
    # the key log decrypts the sign-in: only for the token holder, as the API's other secrets
    assert (await _fetch(lab, shape["capture"]["keylog_url"]))[0] == 401
    status, keys, _ = await _fetch(lab, shape["capture"]["keylog_url"], token=True)
    assert status == 200 and keys == (folder / f"{sid}.keys").read_bytes() and keys

    capsys.readouterr()
    assert main(["sessions", "--json", "--data", str(lab.context.data_dir)]) == 0
    [cli] = json.loads(capsys.readouterr().out)
    assert cli["capture"] == {
        "pcap": str(folder / f"{sid}.pcap"),
        "keylog": str(folder / f"{sid}.keys"),
    }


async def test_only_files_of_the_captures_folder_are_served(
    start: labs.LabFactory, tmp_path: Path
) -> None:
    lab = await start("Lab.Capture=true")
    folder = lab.context.data_dir / "captures"
    folder.mkdir(parents=True, exist_ok=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the API")
    os.symlink(secret, folder / "5.pcap")  # planted: a link out of the folder is not served
    (folder / "tls-keys.log").write_text("CLIENT_RANDOM aa bb\n")
    for path in [
        "/api/sessions/5/capture.pcap",
        "/api/sessions/999/capture.pcap",
        "/api/sessions/999/capture.keys",
        "/api/sessions/../../secret.txt/capture.pcap",
        "/api/sessions/..%2f..%2fsecret.txt/capture.pcap",
        "/api/sessions/tls-keys/capture.keys",
        "/api/sessions/%2e%2e/capture.pcap",
        "/api/sessions/99999999999999999999999/capture.pcap",
    ]:
        status, body, _ = await _fetch(lab, path, token=True)
        assert status in (400, 404), (path, status)
        assert b"not for the API" not in body and b"CLIENT_RANDOM" not in body, path


async def test_no_capture_field_value_without_the_setting(start: labs.LabFactory) -> None:
    lab = await start()
    await asyncio.to_thread(_submit, lab, "scanner@contoso.com", "Scan-2-Mail!")
    await labs.sessions_recorded(lab)
    _, body, _ = await _fetch(lab, "/api/sessions")
    [shape] = json.loads(body)
    assert "capture" in shape and shape["capture"] is None
    _, page, _ = await _fetch(lab, "/")
    assert b"capture.pcap" not in page
