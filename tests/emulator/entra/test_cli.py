"""`exolab apps` and `exolab signin` (the latter against a running lab over HTTPS)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from exolab.cli import main
from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.dns import LabDns
from exolab.emulator.entra import EntraService
from exolab.emulator.lab import PortPlan, Service
from exolab.emulator.server import Lab
from exolab.emulator.tenant import load_default_tenant

DEVICE_APP = "a1b2c3d4-0000-4e5f-8a9b-0c1d2e3f4a5b"


def test_apps_json_shows_ids_secrets_consent_and_service_principal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["apps", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    apps = {a["AppId"]: a for a in doc["App"]}
    app_only = apps["5f0c2a8e-3a51-4c47-9d0e-1b5a6c7d8e90"]
    assert app_only["ClientSecret"] == "lab-secret-Xk7~scan.app"
    assert app_only["ServicePrincipal"]["MailboxPermissions"] == ["scanner@contoso.com"]
    assert app_only["Smtp"] == "app-only"
    assert apps["0badc0de-5e4d-4c3b-8a29-1f0e9d8c7b6a"]["Smtp"].startswith("delegated: NOT READY")
    assert apps["7e57ab1e-0a1b-4c2d-8e3f-4a5b6c7d8e9f"]["Smtp"].startswith("app-only: NOT READY")


def test_apps_bad_tenant_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "t.toml"
    bad.write_text("[Tenant]\nNope = 1\n")
    assert main(["apps", "--tenant", str(bad)]) == 2
    assert "Tenant.Nope" in capsys.readouterr().err


def test_signin_without_a_running_lab(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["signin", "ABC", "--user", "alice@contoso.com", "--data", str(tmp_path)]) == 2
    assert "endpoints.json: not found" in capsys.readouterr().err


async def test_signin_approves_a_pending_code(tmp_path: Path) -> None:
    clock = FixedClock(utc(2026, 6, 1, 9, 0))
    services: list[Service] = [LabDns(), EntraService()]
    data = tmp_path / "lab"
    async with await Lab.start(
        load_default_tenant(), data, PortPlan(ephemeral=True), clock, services
    ) as lab:
        entra = services[1]
        assert isinstance(entra, EntraService) and entra.endpoint is not None
        start = entra.endpoint.devicecode(
            "organizations",
            {"client_id": DEVICE_APP, "scope": "https://outlook.office.com/SMTP.Send"},
        ).body
        code = start["user_code"]
        listed = await asyncio.to_thread(main, ["signin", "--list", "--data", str(data)])
        assert listed == 0
        refused = await asyncio.to_thread(
            main, ["signin", code, "--user", "nobody@contoso.com", "--data", str(data)]
        )
        assert refused == 1
        approved = await asyncio.to_thread(
            main, ["signin", code, "--user", "alice@contoso.com", "--data", str(data)]
        )
        assert approved == 0
        assert lab.context.endpoints.hosts["login.microsoftonline.com"]["ports"]["443"] > 0
        poll = {
            "grant_type": "device_code",
            "client_id": DEVICE_APP,
            "device_code": start["device_code"],
        }
        assert entra.endpoint.token("organizations", poll).status == 200
