"""The lab API (aiohttp) as a lab ``Service``.

Routes (JSON unless said otherwise):
- ``GET /api/endpoints``: what endpoints.json says.
- ``GET /api/tenant``: the tenant as it is now, with Microsoft's names.
- ``POST /api/tenant/set`` ``{"set": ["Key=Value", ...]}``: change settings live
  (the same syntax and errors as ``--set``); the next command sees them.
- ``GET /api/messages?mailbox=&folder=``, ``GET /api/messages/{id}/raw`` (message/rfc822).
- ``GET /api/sessions``, ``GET /api/sessions/{id}``.
- ``GET /``: a small page with the mailboxes and the latest sessions.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from exolab.emulator.api.page import render_page
from exolab.emulator.lab import LabContext, endpoints_document
from exolab.emulator.store.views import message_json, session_json
from exolab.emulator.tenant import TenantError, parse_assignment, parse_tenant

HOST = "api"
PORT = 80


class LabApi:
    """Request handlers over one lab's context."""

    def __init__(self, lab: LabContext) -> None:
        self.lab = lab
        self.app = web.Application()
        self.app.add_routes(
            [
                web.get("/", self.page),
                web.get("/api/endpoints", self.endpoints),
                web.get("/api/tenant", self.tenant),
                web.post("/api/tenant/set", self.set_tenant),
                web.get("/api/messages", self.messages),
                web.get("/api/messages/{id:\\d+}/raw", self.raw_message),
                web.get("/api/sessions", self.sessions),
                web.get("/api/sessions/{id:\\d+}", self.session),
            ]
        )

    async def endpoints(self, request: web.Request) -> web.Response:
        return web.json_response(endpoints_document(self.lab))

    async def tenant(self, request: web.Request) -> web.Response:
        return web.json_response(self.lab.tenant.model_dump(by_alias=True, mode="json"))

    async def set_tenant(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, 'expected a JSON body like {"set": ["Key=Value"]}')
        items = body.get("set") if isinstance(body, dict) else None
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            return _error(400, 'expected "set": a list of "Key=Value" strings')
        try:
            document = self.lab.tenant.model_dump(by_alias=True, mode="json", exclude_none=True)
            tenant = parse_tenant(document, "API", [parse_assignment(i) for i in items])
        except TenantError as error:
            return _error(400, str(error), key=error.key)
        self.lab.tenant = tenant
        return web.json_response({"ok": True, "applied": items})

    async def messages(self, request: web.Request) -> web.Response:
        found = self.lab.store.messages(
            mailbox=request.query.get("mailbox"), folder=request.query.get("folder")
        )
        return web.json_response([message_json(m) for m in found])

    async def raw_message(self, request: web.Request) -> web.Response:
        wanted = int(request.match_info["id"])
        for message in self.lab.store.messages(id=wanted):
            return web.Response(body=message.raw, content_type="message/rfc822")
        return _error(404, f"no message {wanted}")

    async def sessions(self, request: web.Request) -> web.Response:
        return web.json_response([session_json(s) for s in self.lab.store.sessions()])

    async def session(self, request: web.Request) -> web.Response:
        wanted = int(request.match_info["id"])
        for record in self.lab.store.sessions(id=wanted):
            return web.json_response(session_json(record))
        return _error(404, f"no session {wanted}")

    async def page(self, request: web.Request) -> web.Response:
        store = self.lab.store
        html = render_page(self.lab.tenant, store.folder_counts(), store.sessions(last=20))
        return web.Response(text=html, content_type="text/html")


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


class ApiService:
    """Serves the lab API on the lab's API address (HTTP)."""

    name = "api"

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None

    async def start(self, lab: LabContext) -> None:
        self._runner = web.AppRunner(LabApi(lab).app, access_log=None)
        await self._runner.setup()
        address = lab.address_of(HOST)
        site = web.TCPSite(self._runner, host=address, port=lab.ports.bind_port(PORT))
        await site.start()
        sockets = getattr(site._server, "sockets", None) or ()
        bound = int(sockets[0].getsockname()[1]) if sockets else lab.ports.bind_port(PORT)
        lab.endpoints.api = f"http://{address}:{bound}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
