"""HTTPS to the token service the way firmware does it: lab DNS, lab CA, site source address.

``login.microsoftonline.com`` is resolved through the network's DNS server
(``devices.resolve``), the port comes from the lab's port map, TLS checks the
certificate against the lab CA with the real host name (SNI and Host header
say login.microsoftonline.com). Answers are JSON; transport failures raise
``TokenError`` because a source that cannot reach Entra has no token.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from exolab.devices.network import LabNetwork
from exolab.devices.resolve import ResolveFailed, ResolveTimeout, resolve_server
from exolab.devices.tls import token_service_context
from exolab.devices.tokens import TokenError

HOST = "login.microsoftonline.com"


class _PinnedResolver(AbstractResolver):
    """Resolves the one host to the address the lab DNS gave (aiohttp's resolver seam)."""

    def __init__(self, address: str) -> None:
        self.address = address

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            {
                "hostname": host,
                "host": self.address,
                "port": port,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


@dataclass
class TokenServiceClient:
    """POSTs forms to ``https://login.microsoftonline.com/<tenant>/oauth2/v2.0/<path>``."""

    network: LabNetwork
    tenant: str = "organizations"
    source: str | None = None
    timeout: float = 30.0
    verify_certificate: bool = True
    log: list[str] = field(default_factory=list)

    def _ssl(self) -> ssl.SSLContext:
        return token_service_context(self.network.ca_pem, self.verify_certificate)

    async def post(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """``path`` is ``token`` or ``devicecode``; returns (HTTP status, JSON body)."""
        try:
            address = await resolve_server(
                HOST, self.network, source=self.source, timeout=self.timeout
            )
        except (ResolveFailed, ResolveTimeout) as exc:
            raise TokenError(f"{HOST} could not be resolved ({exc})") from None
        port = self.network.port_for(address, 443)
        url = f"https://{HOST}:{port}/{self.tenant}/oauth2/v2.0/{path}"
        connector = aiohttp.TCPConnector(
            resolver=_PinnedResolver(address),
            ssl=self._ssl(),
            local_addr=(self.source, 0) if self.source else None,
        )
        grant = form.get("grant_type", path)
        try:
            async with (
                aiohttp.ClientSession(
                    connector=connector, timeout=aiohttp.ClientTimeout(total=self.timeout)
                ) as session,
                session.post(url, data=form, headers={"Accept": "application/json"}) as resp,
            ):
                body = await resp.json(content_type=None)
                status = resp.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            self.log.append(f"POST /{self.tenant}/oauth2/v2.0/{path} ({grant}) failed: {exc}")
            raise TokenError(f"{HOST} could not be reached over HTTPS ({exc})") from None
        if not isinstance(body, dict):
            raise TokenError(f"{HOST} answered {status} without a JSON object")
        outcome = "200 OK" if status == 200 else f"{status} {body.get('error')}"
        self.log.append(f"POST /{self.tenant}/oauth2/v2.0/{path} ({grant}) -> {outcome}")
        return status, body


def describe_error(body: dict[str, Any]) -> str:
    """``invalid_grant (AADSTS50126): Error validating credentials …`` from an Entra error body."""
    codes = body.get("error_codes") or []
    code = f" (AADSTS{codes[0]})" if codes else ""
    text = str(body.get("error_description", "")).split("\r\n", 1)[0]
    if text.startswith("AADSTS") and ": " in text:
        text = text.split(": ", 1)[1]
    return f"{body.get('error', 'error')}{code}: {text}"
