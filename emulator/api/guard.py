"""Who may talk to the lab API, and who may change the lab through it.

The API can reconfigure the whole lab and shows its secrets, so:

- every request must name the API by its own address in ``Host`` (or
  ``localhost``): a web page that rebinds its own DNS name to the lab's
  address sends its own name there, so DNS rebinding gets 403;
- a write (any method but GET/HEAD) needs the lab's token as
  ``Authorization: Bearer <token>``, must not come from a foreign ``Origin``
  (403) and must carry ``Content-Type: application/json`` (415), which a
  cross-site form cannot send without a CORS preflight this API never grants;
- reads are open to whoever can reach the address (loopback by default),
  but secrets are shown only to a caller with the token (``redact``).

Each check is a plain function of header values, so it is testable without
a server; ``guard_middleware`` applies them in that order.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

SAFE_METHODS = frozenset({"GET", "HEAD"})
REDACTED = "(redacted)"
_SECRET_SUFFIXES = ("password", "secret", "token")


@dataclass(frozen=True)
class Refusal:
    """An HTTP status and the reason the JSON error body gives."""

    status: int
    message: str


@dataclass(frozen=True)
class ApiAccess:
    """The token and the address the API answers for; fixed when the API starts."""

    token: str
    address: str

    @property
    def wildcard(self) -> bool:
        return ipaddress.ip_address(self.address).is_unspecified


def host_name(host_header: str) -> str:
    """The host part of a ``Host`` header value: ``[::1]:80`` -> ``::1``, ``a:80`` -> ``a``."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    name, sep, port = value.rpartition(":")
    return name if sep and port.isdigit() else value


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def check_host(access: ApiAccess, host_header: str | None) -> Refusal | None:
    """The API's own address (any IP literal when it listens on every interface) or localhost."""
    name = host_name(host_header or "")
    if name == "localhost":
        return None
    ip = _ip(name)
    if ip is not None and (access.wildcard or ip == ipaddress.ip_address(access.address)):
        return None
    return Refusal(
        403,
        f"Host {host_header!r} is not this lab's API address ({access.address}); "
        "use the address from endpoints.json",
    )


def check_origin(
    host_header: str | None, origin: str | None, fetch_site: str | None
) -> Refusal | None:
    """A write from a browser must come from the API's own page (same origin)."""
    if fetch_site is not None and fetch_site.lower() not in ("same-origin", "none"):
        return Refusal(403, f"cross-site request refused (Sec-Fetch-Site: {fetch_site})")
    if origin is None:
        return None  # not a browser: curl, the exolab command line, test code
    expected = f"http://{(host_header or '').strip().lower()}"
    if origin.strip().lower().rstrip("/") != expected:
        return Refusal(403, f"Origin {origin!r} may not change this lab")
    return None


def bearer(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def token_ok(access: ApiAccess, authorization: str | None) -> bool:
    given = bearer(authorization)
    return given is not None and hmac.compare_digest(given.encode(), access.token.encode())


def check_write(access: ApiAccess, authorization: str | None, content_type: str) -> Refusal | None:
    if not token_ok(access, authorization):
        return Refusal(
            401,
            "changing the lab needs its API token: send 'Authorization: Bearer <token>' "
            "with the api_token from endpoints.json",
        )
    if content_type != "application/json":
        return Refusal(415, f"expected Content-Type: application/json, got {content_type!r}")
    return None


def is_secret(key: str) -> bool:
    """Settings whose values are credentials: every ``…Password``, ``…Secret`` or ``…Token``."""
    return key.lower().endswith(_SECRET_SUFFIXES)


def redact(document: Any) -> Any:
    """``document`` with every non-empty secret value replaced by ``(redacted)``."""
    if isinstance(document, dict):
        return {
            k: REDACTED if isinstance(v, str) and v and is_secret(str(k)) else redact(v)
            for k, v in document.items()
        }
    if isinstance(document, list):
        return [redact(v) for v in document]
    return document


def refusal_response(refusal: Refusal) -> web.Response:
    headers = {"WWW-Authenticate": 'Bearer realm="exolab"'} if refusal.status == 401 else None
    return web.json_response({"error": refusal.message}, status=refusal.status, headers=headers)


def guard_middleware(access: ApiAccess) -> Middleware:
    """The checks above, in order, before any handler runs."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        host = request.headers.get("Host")
        refusal = check_host(access, host)
        if refusal is None and request.method not in SAFE_METHODS:
            refusal = check_origin(
                host, request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site")
            ) or check_write(access, request.headers.get("Authorization"), request.content_type)
        if refusal is not None:
            return refusal_response(refusal)
        return await handler(request)

    return guard
