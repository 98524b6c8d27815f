"""The lab API (aiohttp) as a lab ``Service``.

Routes (JSON unless said otherwise):
- ``GET /api/endpoints``: what endpoints.json says.
- ``GET /api/tenant``: the tenant as it is now, with Microsoft's names.
- ``POST /api/tenant/set`` ``{"set": ["Key=Value", ...]}``: change settings live
  (the same syntax and errors as ``--set``); the next command sees them.
- ``GET /api/messages?mailbox=&folder=``, ``GET /api/messages/{id}/raw`` (message/rfc822).
- ``GET /api/sessions``, ``GET /api/sessions/{id}``.
- ``GET /api/faults``, ``POST /api/faults``, ``POST /api/faults/clear``: fault rules (faults.py).
- ``GET /api/status``: the lab process's memory now and at its peak; ``GET
  /api/message-ids``: each stored copy's Message-ID and session (status.py).
- ``GET /api/reports/smtp-auth-clients[?format=csv]``: the SMTP AUTH clients report (reports.py).
- ``GET /api/sessions/{id}/capture.pcap``, ``GET /api/sessions/{id}/capture.keys``: the
  session's capture when the lab recorded it (``api.captures``).
- ``GET /``: a small page with the mailboxes and the latest sessions.
- ``GET /console`` and ``/api/console/…``: the live console (``console``).

Writes need the lab's token and JSON; secrets are shown only with the token
(``guard``). The API listens on loopback unless ``Lab.ApiAddress`` says
otherwise, because whoever reaches it can read every stored message.
"""

from __future__ import annotations

import ipaddress
import secrets
from typing import Any

from aiohttp import web

from exolab.emulator.api.captures import CaptureRoutes
from exolab.emulator.api.console import Console, Explainer
from exolab.emulator.api.faults import FaultRoutes
from exolab.emulator.api.guard import ApiAccess, guard_middleware, redact, token_ok
from exolab.emulator.api.inputs import BadInput, parse_id, parse_set_body
from exolab.emulator.api.page import render_page
from exolab.emulator.api.reports import ReportRoutes
from exolab.emulator.api.status import StatusRoutes
from exolab.emulator.lab import LabContext, endpoints_document
from exolab.emulator.net import bind_socket, socket_port
from exolab.emulator.store.views import message_json, session_json
from exolab.emulator.tenant import Tenant, TenantError, parse_assignment, parse_tenant

HOST = "api"
PORT = 80
SERVICE = "lab API"
TOKEN_KEY = "api_token"
"""The endpoints.json key holding the token that writes and secrets need."""

MAX_BODY = 64 * 1024
"""A ``tenant/set`` body is a few lines of settings; a larger body gets 413."""

STARTUP_ONLY = {"Lab.AddressRange": "address_range", "Lab.ApiAddress": "api_address"}
"""Settings read once when the lab binds its addresses: changing them live would
make the lab DNS point devices at addresses where nothing listens."""


class LabApi:
    """Request handlers over one lab's context."""

    def __init__(
        self, lab: LabContext, access: ApiAccess, explainer: Explainer | None = None
    ) -> None:
        self.lab = lab
        self.access = access
        self.console = Console(lab, explainer)
        self.app = web.Application(middlewares=[guard_middleware(access)], client_max_size=MAX_BODY)
        self.app.add_routes(
            [
                web.get("/", self.page),
                web.get("/api/endpoints", self.endpoints),
                web.get("/api/tenant", self.tenant),
                web.post("/api/tenant/set", self.set_tenant),
                web.get("/api/messages", self.messages),
                web.get("/api/messages/{id:[0-9]+}/raw", self.raw_message),
                web.get("/api/sessions", self.sessions),
                web.get("/api/sessions/{id:[0-9]+}", self.session),
                *FaultRoutes(lab, self.console.faults_changed).routes(),
                *ReportRoutes(lab).routes(),
                *StatusRoutes(lab).routes(),
            ]
        )
        self.captures = CaptureRoutes(lab, access)
        self.app.add_routes(self.captures.routes())
        self.app.add_routes(self.console.routes())

    def _shown(self, request: web.Request, document: Any) -> Any:
        """``document`` as this caller may see it: secrets only for the token holder."""
        return (
            document
            if token_ok(self.access, request.headers.get("Authorization"))
            else redact(document)
        )

    async def endpoints(self, request: web.Request) -> web.Response:
        return web.json_response(self._shown(request, endpoints_document(self.lab)))

    async def tenant(self, request: web.Request) -> web.Response:
        document = self.lab.tenant.model_dump(by_alias=True, mode="json")
        return web.json_response(self._shown(request, document))

    async def set_tenant(self, request: web.Request) -> web.Response:
        try:
            items = parse_set_body(await request.read())
        except BadInput as error:
            return _error(400, str(error))
        try:
            document = self.lab.tenant.model_dump(by_alias=True, mode="json", exclude_none=True)
            tenant = parse_tenant(document, "API", [parse_assignment(i) for i in items])
        except TenantError as error:
            return _error(400, str(error), key=error.key)
        moved = _startup_only_change(self.lab.tenant, tenant)
        if moved:
            return _error(
                400,
                f"API: {moved}: is read when the lab starts; restart it with --set {moved}=…",
                key=moved,
            )
        before_as_of = self.lab.tenant.lab.as_of
        self.lab.tenant = tenant
        # Lab.AsOf set live moves the lab's one clock (banners, retirement, token expiry).
        self.console.tenant_changed(items, before_as_of)
        return web.json_response({"ok": True, "applied": items})

    async def messages(self, request: web.Request) -> web.Response:
        found = self.lab.store.messages(
            mailbox=request.query.get("mailbox"), folder=request.query.get("folder")
        )
        return web.json_response([message_json(m) for m in found])

    async def raw_message(self, request: web.Request) -> web.Response:
        try:
            wanted = parse_id(request.match_info["id"])
        except BadInput as error:
            return _error(400, str(error))
        for message in self.lab.store.messages(id=wanted):
            return web.Response(body=message.raw, content_type="message/rfc822")
        return _error(404, f"no message {wanted}")

    async def sessions(self, request: web.Request) -> web.Response:
        files = self.captures.files()
        found = self.lab.store.sessions()
        return web.json_response([session_json(s, files.of(s.id)) for s in found])

    async def session(self, request: web.Request) -> web.Response:
        try:
            wanted = parse_id(request.match_info["id"])
        except BadInput as error:
            return _error(400, str(error))
        for record in self.lab.store.sessions(id=wanted):
            return web.json_response(session_json(record, self.captures.files().of(record.id)))
        return _error(404, f"no session {wanted}")

    async def page(self, request: web.Request) -> web.Response:
        store = self.lab.store
        latest = store.sessions(last=20)
        files = self.captures.files()
        captured = {s.id: c for s in latest if (c := files.of(s.id)) is not None}
        html = render_page(self.lab.tenant, store.folder_counts(), latest, captured)
        return web.Response(text=html, content_type="text/html")


def _startup_only_change(before: Tenant, after: Tenant) -> str | None:
    """The first setting that only takes effect at start and that ``after`` changes."""
    for key, attribute in STARTUP_ONLY.items():
        if getattr(before.lab, attribute) != getattr(after.lab, attribute):
            return key
    return None


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


def listen_address(lab: LabContext) -> str:
    """``Lab.ApiAddress`` when set; else the lab's API address if loopback, else 127.0.0.1."""
    chosen = lab.tenant.lab.api_address
    if chosen:
        return chosen
    own = lab.address_of(HOST)
    return own if ipaddress.ip_address(own).is_loopback else "127.0.0.1"


def url_address(address: str) -> str:
    """How a URL names a listening address (every-interface becomes loopback)."""
    ip = ipaddress.ip_address(address)
    if ip.is_unspecified:
        return "127.0.0.1" if ip.version == 4 else "[::1]"
    return f"[{address}]" if ip.version == 6 else address


class ApiService:
    """Serves the lab API on the lab's API address (HTTP)."""

    name = "api"

    def __init__(self, explainer: Explainer | None = None) -> None:
        self._runner: web.AppRunner | None = None
        self.token: str | None = None
        self.explainer = explainer
        self._api: LabApi | None = None
        """Explains sessions in the console (the app shell gives the message catalog's)."""

    async def start(self, lab: LabContext) -> None:
        address = listen_address(lab)
        sock = bind_socket(SERVICE, "", address, lab.ports.bind_port(PORT))
        # The token guards the lab's secrets, so it comes from the OS, not the lab's seed.
        self.token = secrets.token_urlsafe(32)
        access = ApiAccess(token=self.token, address=address)
        self._api = LabApi(lab, access, self.explainer)
        self._runner = web.AppRunner(self._api.app, access_log=None)
        try:
            await self._runner.setup()
            await web.SockSite(self._runner, sock).start()
        except BaseException:
            sock.close()
            await self.stop()
            raise
        lab.endpoints.api = f"http://{url_address(address)}:{socket_port(sock)}"
        lab.endpoints.extra[TOKEN_KEY] = self.token

    async def stop(self) -> None:
        if self._api is not None:
            self._api.console.hub.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
