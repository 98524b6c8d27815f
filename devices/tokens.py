"""The seam for OAuth: where an XOAUTH2 bearer token comes from.

``devices/oauth/`` (another module, later) implements real token sources
(device code, client credentials ...). A source raises ``TokenError`` when
it cannot produce a token; the device then gives up with its panel text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from exolab.devices.errors import DevicesError


class TokenError(DevicesError):
    """A token source could not produce a token (expired refresh token, no consent ...)."""


class TokenSource(Protocol):
    async def token(self) -> str:
        """A current bearer access token for SMTP (scope SMTP.Send / SMTP.SendAsApp)."""
        ...


@dataclass(frozen=True)
class StaticToken:
    """A fixed token (tests, or a token pasted by hand)."""

    value: str

    async def token(self) -> str:
        return self.value
