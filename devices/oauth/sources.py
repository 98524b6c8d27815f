"""The three firmware token patterns, each a ``TokenSource`` that renews on expiry.

Expiry is judged by the device's injected clock (``expires_in`` from the
token response, minus a margin): firmware treats tokens as opaque, like
Microsoft tells clients to. A firmware that reads the token's own ``nbf`` and
``exp`` instead (``token_clock`` set) judges them by its own clock, which may
be off: a clock behind sees a fresh token as not yet valid, a clock ahead sees
it as expired, and the device gives up without ever sending it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from exolab.devices.clock import Clock
from exolab.devices.oauth.client import TokenServiceClient, describe_error
from exolab.devices.tokens import TokenError

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DELEGATED_SCOPE = "https://outlook.office.com/SMTP.Send offline_access"
APP_ONLY_SCOPE = "https://outlook.office365.com/.default"

UserCodePrompt = Callable[[str, str, str], object]
"""Called with (user_code, verification_uri, message) when the panel shows the code."""


@dataclass
class _Held:
    access_token: str
    expires_at: datetime
    refresh_token: str | None


@dataclass
class _Source:
    client: TokenServiceClient
    client_id: str
    clock: Clock
    margin: float = 60.0
    """Renew this many seconds before ``expires_in`` runs out."""
    token_clock: timedelta | None = None
    """None: trust ``expires_in``. Else how far the device's clock is off; the token's own
    ``nbf``/``exp`` claims are judged by that clock."""
    held: _Held | None = field(default=None, init=False)
    renewals: int = field(default=0, init=False)

    @property
    def log(self) -> list[str]:
        return self.client.log

    async def token(self) -> str:
        held = self.held
        if held is not None and self.clock.now() < held.expires_at:
            return held.access_token
        self.held = await self._renew(held)
        self.renewals += 1
        return self.held.access_token

    async def _renew(self, held: _Held | None) -> _Held:
        raise NotImplementedError

    async def _grant(self, form: dict[str, str], what: str) -> _Held:
        status, body = await self.client.post("token", {"client_id": self.client_id, **form})
        if status != 200 or "access_token" not in body:
            raise TokenError(f"{what} failed: {describe_error(body)}")
        return self._held(body)

    def _held(self, body: dict[str, Any]) -> _Held:
        lifetime = float(body.get("expires_in", 3600))
        expires = self.clock.now() + timedelta(seconds=max(lifetime - self.margin, 0))
        token = str(body["access_token"])
        if self.token_clock is not None:
            expires = self._judge_claims(token, self.token_clock)
        return _Held(token, expires, body.get("refresh_token"))

    def _judge_claims(self, token: str, offset: timedelta) -> datetime:
        """When the token is good for by its own claims and the device's clock; TokenError if never."""
        claims = token_claims(token)
        device_now = self.clock.now() + offset
        shown = f"device clock {device_now:%Y-%m-%d %H:%M} UTC"
        nbf, exp = claims.get("nbf"), claims.get("exp")
        if isinstance(nbf, int | float) and device_now < datetime.fromtimestamp(nbf, UTC):
            raise TokenError(f"the new token is not yet valid ({shown})")
        if not isinstance(exp, int | float):
            raise TokenError("the new token has no expiry the device can read")
        good_until = datetime.fromtimestamp(exp, UTC) - timedelta(seconds=self.margin)
        if device_now >= good_until:
            raise TokenError(f"the new token has already expired ({shown})")
        return good_until - offset

    async def _refresh(self, held: _Held, scope: str) -> _Held:
        assert held.refresh_token is not None
        form = {"grant_type": "refresh_token", "refresh_token": held.refresh_token, "scope": scope}
        renewed = await self._grant(form, "token update")
        if renewed.refresh_token is None:  # Entra may omit a new one; keep the old
            renewed.refresh_token = held.refresh_token
        return renewed


def token_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT access token, unverified (firmware has no key to check it with)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("the token is not a JWT the device can read")
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError):
        raise TokenError("the token is not a JWT the device can read") from None
    if not isinstance(claims, dict):
        raise TokenError("the token is not a JWT the device can read")
    return claims


@dataclass
class ClientCredentialsSource(_Source):
    """App-only: client id + secret -> a token with the SMTP.SendAsApp role."""

    client_secret: str = ""
    scope: str = APP_ONLY_SCOPE

    async def _renew(self, held: _Held | None) -> _Held:
        form = {
            "grant_type": "client_credentials",
            "client_secret": self.client_secret,
            "scope": self.scope,
        }
        return await self._grant(form, "app sign-in")


@dataclass
class DelegatedRefreshSource(_Source):
    """Sign in once on the panel, then live on refresh tokens (Sharp, Konica Minolta, Ricoh).

    The lab's stand-in for the interactive panel sign-in is the password
    grant (ROPC) with the user and password typed into the device. When a
    refresh fails the device does not sign in again by itself: a person has
    to (Sharp: "Token update failed. Please delete the token and obtain it again.").
    """

    username: str = ""
    password: str = ""
    scope: str = DELEGATED_SCOPE

    async def _renew(self, held: _Held | None) -> _Held:
        if held is not None and held.refresh_token:
            return await self._refresh(held, self.scope)
        if held is not None:
            raise TokenError("token update failed: no refresh token (offline_access not granted)")
        form = {
            "grant_type": "password",
            "username": self.username,
            "password": self.password,
            "scope": self.scope,
        }
        return await self._grant(form, "panel sign-in")


@dataclass
class DeviceCodeSource(_Source):
    """Show a user code, poll until a person approves it, then refresh (Canon, Epson)."""

    scope: str = DELEGATED_SCOPE
    prompt: UserCodePrompt | None = None
    min_poll: float = 0.05
    """Shortest real wait between polls (a lab may set the interval to 0)."""
    shown: list[str] = field(default_factory=list)

    async def _renew(self, held: _Held | None) -> _Held:
        if held is not None and held.refresh_token:
            return await self._refresh(held, self.scope)
        status, body = await self.client.post(
            "devicecode", {"client_id": self.client_id, "scope": self.scope}
        )
        if status != 200 or "device_code" not in body:
            raise TokenError(f"device code request failed: {describe_error(body)}")
        user_code, uri = str(body["user_code"]), str(body["verification_uri"])
        message = str(body.get("message", f"Open {uri} and enter {user_code}"))
        self.shown.append(user_code)
        self.log.append(f"panel: {message}")
        if self.prompt is not None:
            shown = self.prompt(user_code, uri, message)
            if inspect.isawaitable(shown):  # a prompt may act, e.g. a person signing in
                await shown
        return await self._poll(str(body["device_code"]), body)

    async def _poll(self, device_code: str, start: dict[str, Any]) -> _Held:
        interval = max(float(start.get("interval", 5)), self.min_poll)
        deadline = self.clock.monotonic() + float(start.get("expires_in", 900)) + interval
        form = {"grant_type": DEVICE_CODE_GRANT, "device_code": device_code}
        while True:
            await asyncio.sleep(interval)
            status, body = await self.client.post("token", {"client_id": self.client_id, **form})
            if status == 200 and "access_token" in body:
                return self._held(body)
            error = body.get("error")
            if error == "slow_down":
                interval += 5
            elif error != "authorization_pending":
                raise TokenError(f"device sign-in failed: {describe_error(body)}")
            if self.clock.monotonic() > deadline:
                raise TokenError("device sign-in failed: nobody entered the code in time")
