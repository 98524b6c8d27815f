"""Device token sources against the lab token service over HTTPS (lab DNS, lab CA).

These tests run the emulator's token service as the far end, exactly as a
real printer would meet it; the sources themselves import nothing of emulator/.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from exolab.devices.oauth import (
    ClientCredentialsSource,
    DelegatedRefreshSource,
    DeviceCodeSource,
    TokenServiceClient,
    token_source_for,
)
from exolab.devices.oauth.sources import token_claims
from exolab.devices.profile import load_profile
from exolab.devices.settings import Settings
from exolab.devices.tokens import TokenError, TokenSource
from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.tenant import load_default_tenant, parse_assignment
from tests.emulator.entra.lab import HOST, RunningLab, running_lab

APP_ONLY = "5f0c2a8e-3a51-4c47-9d0e-1b5a6c7d8e90"
SECRET = "lab-secret-Xk7~scan.app"
PANEL_APP = "c0ffee00-1d2e-4f3a-9b8c-7d6e5f4a3b2c"
DEVICE_APP = "a1b2c3d4-0000-4e5f-8a9b-0c1d2e3f4a5b"
NO_CONSENT_APP = "0badc0de-5e4d-4c3b-8a29-1f0e9d8c7b6a"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(utc(2026, 6, 1, 9, 0))


@pytest.fixture
async def lab(tmp_path: Path, clock: FixedClock) -> AsyncIterator[RunningLab]:
    tenant = load_default_tenant([parse_assignment("TokenLifetimePolicy.DeviceCodeInterval=0")])
    async with running_lab(tmp_path / "lab", tenant, clock) as running:
        yield running


def client(lab: RunningLab, tenant: str = "contoso.com") -> TokenServiceClient:
    return TokenServiceClient(lab.network(), tenant=tenant, source="127.20.0.10")


async def test_client_credentials_renew_when_the_token_expires(
    lab: RunningLab, clock: FixedClock
) -> None:
    source = ClientCredentialsSource(client(lab), APP_ONLY, clock, client_secret=SECRET)
    first = await source.token()
    assert first.count(".") == 2
    assert await source.token() == first and source.renewals == 1
    clock.advance(3600)  # past expires_in minus the 60 s margin
    second = await source.token()
    assert second != first and source.renewals == 2
    assert source.log[0] == "POST /contoso.com/oauth2/v2.0/token (client_credentials) -> 200 OK"


async def test_bad_secret_is_a_token_error_naming_the_aadsts_code(
    lab: RunningLab, clock: FixedClock
) -> None:
    source = ClientCredentialsSource(client(lab), APP_ONLY, clock, client_secret="wrong")
    with pytest.raises(TokenError, match=r"invalid_client \(AADSTS7000215\)"):
        await source.token()


async def test_delegated_signs_in_once_then_refreshes(lab: RunningLab, clock: FixedClock) -> None:
    source = DelegatedRefreshSource(
        client(lab, "organizations"),
        PANEL_APP,
        clock,
        username="scanner@contoso.com",
        password="Scan-2-Mail!",
    )
    first = await source.token()
    clock.advance(4000)
    second = await source.token()
    assert first != second
    grants = [line.split("(")[1].split(")")[0] for line in source.log]
    assert grants == ["password", "refresh_token"]


async def test_delegated_refresh_failure_is_the_token_update_error(
    lab: RunningLab, clock: FixedClock
) -> None:
    source = DelegatedRefreshSource(
        client(lab, "organizations"), PANEL_APP, clock, username="scanner@contoso.com",
        password="Scan-2-Mail!",
    )  # fmt: skip
    await source.token()
    clock.advance(91 * 86_400)  # refresh token inactive too long (AADSTS700082)
    with pytest.raises(TokenError, match=r"token update failed: invalid_grant \(AADSTS700082\)"):
        await source.token()


async def approve_on_the_page(lab: RunningLab, user_code: str, user: str) -> int:
    """A person types the code and the user into the lab's deviceauth page."""
    ctx = ssl.create_default_context(cafile=str(lab.lab.ca.pem_path))
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"https://{lab.address}:{lab.port}/common/oauth2/deviceauth",
            data={"otc": user_code, "user": user},
            ssl=ctx,
            server_hostname=HOST,
        ) as resp,
    ):
        return resp.status


async def test_device_code_shows_the_code_and_waits_for_a_person(
    lab: RunningLab, clock: FixedClock
) -> None:
    approvals: list[asyncio.Task[int]] = []

    def person(user_code: str, uri: str, message: str) -> None:
        assert uri == "https://login.microsoftonline.com/common/oauth2/deviceauth"
        assert user_code in message
        approvals.append(
            asyncio.ensure_future(approve_on_the_page(lab, user_code, "scanner@contoso.com"))
        )

    source = DeviceCodeSource(client(lab, "organizations"), DEVICE_APP, clock, prompt=person)
    token = await source.token()
    assert token.count(".") == 2
    assert [await t for t in approvals] == [200]
    assert source.log[1].startswith("panel: To sign in, use a web browser")
    clock.advance(4000)
    await source.token()
    assert "(refresh_token) -> 200 OK" in source.log[-1]


async def test_device_code_without_consent_fails_with_65001(
    lab: RunningLab, clock: FixedClock
) -> None:
    approvals: list[asyncio.Task[int]] = []

    def person(user_code: str, uri: str, message: str) -> None:
        approvals.append(
            asyncio.ensure_future(approve_on_the_page(lab, user_code, "alice@contoso.com"))
        )

    source = DeviceCodeSource(client(lab, "organizations"), NO_CONSENT_APP, clock, prompt=person)
    with pytest.raises(TokenError, match=r"AADSTS65001"):
        await source.token()
    assert [await t for t in approvals] == [400]  # the page told the person: admin approval


async def test_unreachable_token_service_is_a_token_error(clock: FixedClock) -> None:
    from exolab.devices.network import LabNetwork

    network = LabNetwork.for_resolver(("127.10.0.250", 9))  # nothing answers DNS there
    source = ClientCredentialsSource(
        TokenServiceClient(network, timeout=0.5), APP_ONLY, clock, client_secret=SECRET
    )
    with pytest.raises(TokenError, match="could not be resolved"):
        await source.token()


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("oauth-device-code", DeviceCodeSource),
        ("oauth-delegated-refresh", DelegatedRefreshSource),
        ("oauth-app-only", ClientCredentialsSource),
    ],
)
async def test_profiles_build_their_source(
    lab: RunningLab, clock: FixedClock, name: str, kind: type[TokenSource]
) -> None:
    profile = load_profile(name)
    settings = Settings.build(
        profile,
        {
            "server": "smtp.office365.com",
            "username": "scanner@contoso.com",
            "password": "Scan-2-Mail!",
        },
    )
    source = token_source_for(profile, settings, lab.network(), clock, source="127.20.0.10")
    assert isinstance(source, kind)
    if kind is not DeviceCodeSource:
        assert (await source.token()).count(".") == 2


def test_profile_without_oauth_has_no_source(clock: FixedClock) -> None:
    from exolab.devices.network import LabNetwork

    profile = load_profile("starttls-modern")
    settings = Settings.build(profile, {"server": "smtp.office365.com"})
    assert token_source_for(profile, settings, LabNetwork(), clock) is None


async def test_token_claims_judged_by_a_correct_clock_are_used_until_their_exp(
    lab: RunningLab, clock: FixedClock
) -> None:
    source = ClientCredentialsSource(
        client(lab), APP_ONLY, clock, client_secret=SECRET, token_clock=timedelta(0)
    )
    first = await source.token()
    assert await source.token() == first and source.renewals == 1
    clock.advance(3600)  # the lab's tokens live 3600 s: by its own exp the token is spent
    assert await source.token() != first and source.renewals == 2


@pytest.mark.parametrize(
    ("skew", "why"), [(timedelta(days=-1), "not yet valid"), (timedelta(days=1), "already expired")]
)
async def test_a_device_clock_that_is_off_refuses_every_new_token(
    lab: RunningLab, clock: FixedClock, skew: timedelta, why: str
) -> None:
    source = ClientCredentialsSource(
        client(lab), APP_ONLY, clock, client_secret=SECRET, token_clock=skew
    )
    with pytest.raises(TokenError, match=why):
        await source.token()
    opaque = ClientCredentialsSource(client(lab), APP_ONLY, clock, client_secret=SECRET)
    assert await opaque.token()  # the same skew means nothing to firmware that trusts expires_in


def test_a_token_that_is_no_jwt_cannot_be_judged() -> None:
    with pytest.raises(TokenError, match="not a JWT"):
        token_claims("opaque-token")
    with pytest.raises(TokenError, match="not a JWT"):
        token_claims("a.!!!.c")
