"""The HTTPS shell of the token service: login.microsoftonline.com on the lab address, port 443.

Only moves bytes: every answer comes from ``TokenEndpoint`` (sans-IO). The
certificate comes from the lab CA; the bound port is recorded in
``lab.endpoints`` (host ``login.microsoftonline.com``, ports ``{"443": bound}``).
Besides Entra's own paths it serves ``GET /_lab/devicecodes`` (pending codes,
for approvers in tests and ``exolab signin --list``): lab-only, not Microsoft's.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from exolab.emulator.entra.discovery import HOST, jwks, openid_configuration
from exolab.emulator.entra.endpoint import MULTI_TENANT_SEGMENTS, Answer, TokenEndpoint
from exolab.emulator.entra.forms import MalformedForm, read_form
from exolab.emulator.entra.keys import SigningKey
from exolab.emulator.entra.page import form_page
from exolab.emulator.lab import LabContext
from exolab.emulator.net import bind_socket, socket_port

SERVICE = "token service"
NO_CACHE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}


def _json(answer: Answer) -> web.Response:
    return web.json_response(answer.body, status=answer.status, headers=NO_CACHE)


class EntraApp:
    """The aiohttp application around one ``TokenEndpoint``."""

    def __init__(self, endpoint: TokenEndpoint) -> None:
        self.endpoint = endpoint
        self.app = web.Application()
        self.app.add_routes(
            [
                web.post("/{tenant}/oauth2/v2.0/token", self.token),
                web.post("/{tenant}/oauth2/v2.0/devicecode", self.devicecode),
                web.get("/{tenant}/v2.0/.well-known/openid-configuration", self.openid),
                web.get("/{tenant}/discovery/v2.0/keys", self.keys),
                web.get("/common/oauth2/deviceauth", self.page),
                web.post("/common/oauth2/deviceauth", self.approve),
                web.get("/_lab/devicecodes", self.pending),
            ]
        )

    async def token(self, request: web.Request) -> web.Response:
        try:
            form = await read_form(request)
        except MalformedForm:
            return _json(self.endpoint.malformed())
        return _json(self.endpoint.token(request.match_info["tenant"], form))

    async def devicecode(self, request: web.Request) -> web.Response:
        try:
            form = await read_form(request)
        except MalformedForm:
            return _json(self.endpoint.malformed())
        return _json(self.endpoint.devicecode(request.match_info["tenant"], form))

    async def openid(self, request: web.Request) -> web.Response:
        segment = request.match_info["tenant"]
        refused = self.endpoint.check_tenant(segment)
        if refused:
            return _json(refused)
        tenant = self.endpoint.tenant
        doc = openid_configuration(
            segment, tenant.tenant.tenant_id, segment.lower() in MULTI_TENANT_SEGMENTS
        )
        return web.json_response(doc)

    async def keys(self, request: web.Request) -> web.Response:
        refused = self.endpoint.check_tenant(request.match_info["tenant"])
        if refused:
            return _json(refused)
        return web.json_response(jwks([self.endpoint.key], self.endpoint.tenant.tenant.tenant_id))

    async def page(self, request: web.Request) -> web.Response:
        return web.Response(text=form_page(request.query.get("otc", "")), content_type="text/html")

    async def approve(self, request: web.Request) -> web.Response:
        wants_json = "application/json" in request.headers.get("Accept", "")
        try:
            form = await read_form(request)
        except MalformedForm:
            if wants_json:
                return _json(self.endpoint.malformed())
            html = form_page(message="The form could not be read: send it again.")
            return web.Response(text=html, content_type="text/html", status=400)
        code = form.get("otc") or form.get("user_code") or ""
        user = form.get("user", "")
        result = self.endpoint.approve(code, user, form.get("password") or None)
        if wants_json:
            body: dict[str, Any] = {"ok": result.ok, "message": result.message}
            if result.error:
                body["error_code"] = f"AADSTS{result.error.code}"
            return web.json_response(body, status=200 if result.ok else 400)
        html = form_page(code, user, result.message, result.ok)
        return web.Response(text=html, content_type="text/html", status=200 if result.ok else 400)

    async def pending(self, request: web.Request) -> web.Response:
        codes = [
            {
                "user_code": c.user_code,
                "client_id": c.client_id,
                "scope": " ".join(c.scopes),
                "expires": c.expires.isoformat(),
            }
            for c in self.endpoint.pending_codes()
        ]
        return web.json_response({"pending": codes})


class EntraService:
    """The mock Entra ID token service as a lab ``Service``."""

    name = "entra"

    def __init__(self) -> None:
        self.endpoint: TokenEndpoint | None = None
        self._runner: web.AppRunner | None = None

    async def start(self, lab: LabContext) -> None:
        address = lab.address_of(HOST)
        sock = bind_socket(SERVICE, HOST, address, lab.ports.bind_port(443))
        key = SigningKey.load_or_create(lab.data_dir / "entra")  # = lab_signing_key()
        self.endpoint = TokenEndpoint(lambda: lab.tenant, lab.clock, lab.rng, key, lab.lockout)
        self._runner = web.AppRunner(EntraApp(self.endpoint).app, access_log=None)
        try:
            await self._runner.setup()
            site = web.SockSite(self._runner, sock, ssl_context=lab.ca.server_context((HOST,)))
            await site.start()
        except BaseException:
            sock.close()
            await self.stop()
            raise
        lab.endpoints.add_port(HOST, address, 443, socket_port(sock))

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
