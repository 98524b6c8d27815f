"""The lab console: a live web page for trainers and administrators, served by the lab API.

``GET /console`` is a static page (HTML, a script, a style sheet, no data in
them): everything it shows comes from the JSON routes below and is put on the
page as text by the script, so what a device sent can never become markup.

- ``GET /api/console/state?lang=``: the clock, the switches grouped as in the
  admin centers (path and cmdlet), the mailboxes with their folder counts, the
  latest sessions (each with the faults that fired in it), the active fault
  rules with their counters. The SMTP AUTH clients report has its own route
  (``reports``): it reads every session, so the page asks for it apart.
- ``GET /api/console/events?lang=``: server-sent events, ``session`` as each
  session is recorded (with the rule that decided it, explained, and the
  faults that fired), ``tenant`` when a setting changes, ``faults`` when a
  fault rule is added or cleared, ``clock``, ``reset``.
- ``GET /api/console/sessions/{id}?lang=``: one session, its transcript explained.
- ``GET /api/console/messages?mailbox=&folder=``, ``GET /api/console/messages/{id}?lang=``:
  decoded subject, headers, attachments, the verdict explained.
- ``GET /api/messages/{id}/attachments/{n}``: one attachment, always as a download.
- ``POST /api/console/clock`` ``{"as_of": "2027-01-15T09:00" | null}``,
  ``POST /api/console/reset`` ``{"confirm": "reset"}``: writes, so the guard
  asks for the lab token (the page is given it in its URL fragment by
  ``exolab console``; see docs/guide/security.md).

Explanations come from the message catalog ``exolab explain`` uses, which
lives above the emulator: the app shell hands an ``Explainer`` in. Without
one the console still works, with the rule notes instead of explanations.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from importlib import resources
from typing import Any, Protocol
from urllib.parse import quote

from aiohttp import web

from exolab.emulator.admin.switches import switch_states
from exolab.emulator.api.events import EventHub, Listener
from exolab.emulator.api.faults import fault_listing
from exolab.emulator.api.inputs import BadInput, parse_id, parse_json
from exolab.emulator.api.outcome import outcome_text
from exolab.emulator.clock import LabDateError, move_clock, parse_lab_date
from exolab.emulator.lab import LabContext
from exolab.emulator.store import FOLDERS
from exolab.emulator.store.views import attachment_payload, message_json, session_json, shown

LANGS = ("en", "ja")
LATEST = 50
"""Sessions the page starts with; older ones stay in ``exolab sessions``."""
HEARTBEAT = 15.0
"""Seconds between SSE comments, so a proxy or the browser sees the stream is alive."""
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
STATIC = {
    "console.html": "text/html",
    "console.js": "text/javascript",
    "console.css": "text/css",
}


class Explainer(Protocol):
    """Explanations in the message catalog's words (given by the app shell)."""

    def session(self, session: dict[str, Any], lang: str) -> dict[str, Any]: ...

    def message(self, message: dict[str, Any], lang: str) -> list[dict[str, str]]: ...


class NoExplainer:
    """The rule notes the session recorded, unexplained."""

    def session(self, session: dict[str, Any], lang: str) -> dict[str, Any]:
        notes = session.get("notes") or []
        return {"decided": {"meaning": notes[-1] if notes else ""}, "steps": []}

    def message(self, message: dict[str, Any], lang: str) -> list[dict[str, str]]:
        return []


def _lang(request: web.Request) -> str:
    lang = request.query.get("lang", "en")
    return lang if lang in LANGS else "en"


def _static(name: str) -> bytes:
    return resources.files("exolab.emulator.api").joinpath("static", name).read_bytes()


class Console:
    """The console's routes over one lab; ``startup`` is the tenant a reset returns to."""

    def __init__(self, lab: LabContext, explainer: Explainer | None = None) -> None:
        self.lab = lab
        self.explainer: Explainer = explainer or NoExplainer()
        self.hub = EventHub()
        self.startup_tenant = lab.tenant
        self.startup_as_of = lab.tenant.lab.as_of
        lab.store.watchers.append(self.hub.poke)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/console", self.page),
            web.get("/console/{name:console\\.(?:js|css)}", self.asset),
            web.get("/api/console/state", self.state),
            web.get("/api/console/events", self.events),
            web.get("/api/console/sessions/{id:[0-9]+}", self.session),
            web.get("/api/console/messages", self.messages),
            web.get("/api/console/messages/{id:[0-9]+}", self.message),
            web.get("/api/messages/{id:[0-9]+}/attachments/{n:[0-9]+}", self.attachment),
            web.post("/api/console/clock", self.set_clock),
            web.post("/api/console/reset", self.reset),
        ]

    # -- static ------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.Response:
        return web.Response(
            body=_static("console.html"), content_type="text/html", charset="utf-8",
            headers=SECURITY_HEADERS,
        )  # fmt: skip

    async def asset(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        return web.Response(
            body=_static(name), content_type=STATIC[name], charset="utf-8", headers=SECURITY_HEADERS
        )

    # -- reads -------------------------------------------------------------------

    def session_summary(self, record: Any, lang: str) -> dict[str, Any]:
        shape = session_json(record)
        explained = self.explainer.session(shape, lang)
        return {
            "id": shape["id"],
            "endpoint": shape["endpoint"],
            "port": shape["port"],
            "client": shape["client"],
            "public_ip": shape["public_ip"],
            "identity": shape["identity"],
            "tls_version": shape["tls_version"],
            "auth_method": shape["auth_method"],
            "outcome": shape["outcome"],
            "outcome_text": outcome_text(shape["outcome"], lang),
            "started_at": shape["started_at"],
            "decided": explained.get("decided", {}),
            "faults": shape["faults"],
        }

    def clock_json(self) -> dict[str, Any]:
        return {
            "now": self.lab.clock.now().isoformat(),
            "as_of": self.lab.tenant.lab.as_of.isoformat() if self.lab.tenant.lab.as_of else None,
        }

    async def state(self, request: web.Request) -> web.Response:
        lang = _lang(request)
        store = self.lab.store
        await store.flush()
        counts = store.folder_counts()
        mailboxes = [
            {
                "address": m.primary_smtp_address,
                "folders": {f: counts.get((m.primary_smtp_address, f), 0) for f in FOLDERS},
            }
            for m in self.lab.tenant.mailbox
        ]
        outbound = sum(n for (_, folder), n in counts.items() if folder == "Outbound")
        return web.json_response(
            {
                "tenant": self.lab.tenant.tenant.name,
                "clock": self.clock_json(),
                "switches": switch_states(self.lab.tenant, lang),
                "mailboxes": mailboxes,
                "outbound": outbound,
                "folders": list(FOLDERS),
                "sessions": [self.session_summary(s, lang) for s in store.sessions(last=LATEST)],
                "fault_rules": fault_listing(self.lab),
            }
        )

    async def session(self, request: web.Request) -> web.Response:
        try:
            wanted = parse_id(request.match_info["id"])
        except BadInput as error:
            return web.json_response({"error": str(error)}, status=400)
        await self.lab.store.flush()
        for record in self.lab.store.sessions(id=wanted):
            shape = session_json(record)
            lang = _lang(request)
            shape["outcome_text"] = outcome_text(shape["outcome"], lang)
            return web.json_response({**shape, **self.explainer.session(shape, lang)})
        return web.json_response({"error": f"no session {wanted}"}, status=404)

    async def messages(self, request: web.Request) -> web.Response:
        found = self.lab.store.messages(
            mailbox=request.query.get("mailbox"), folder=request.query.get("folder")
        )
        return web.json_response([message_json(m) for m in found[::-1]])

    async def message(self, request: web.Request) -> web.Response:
        try:
            wanted = parse_id(request.match_info["id"])
        except BadInput as error:
            return web.json_response({"error": str(error)}, status=400)
        for stored in self.lab.store.messages(id=wanted):
            shape = message_json(stored)
            head = stored.raw.split(b"\r\n\r\n", 1)[0][:65536]
            shape["header_text"] = shown(head.decode("utf-8", "surrogateescape"))
            shape["verdict"] = self.explainer.message(shape, _lang(request))
            return web.json_response(shape)
        return web.json_response({"error": f"no message {wanted}"}, status=404)

    async def attachment(self, request: web.Request) -> web.Response:
        try:
            wanted = parse_id(request.match_info["id"])
            index = parse_id(request.match_info["n"])
        except BadInput as error:
            return web.json_response({"error": str(error)}, status=400)
        for stored in self.lab.store.messages(id=wanted):
            found = attachment_payload(stored, index)
            if found is None:
                break
            name, _, data = found
            # Always a download, never rendered: an attachment is client bytes (an HTML
            # file would otherwise run as the lab's own page).
            safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[:120] or "part"
            return web.Response(
                body=data,
                content_type="application/octet-stream",
                headers={
                    "Content-Disposition": f'attachment; filename="{safe.encode("ascii", "replace").decode()}"; '
                    f"filename*=UTF-8''{_percent(name)}",
                    **SECURITY_HEADERS,
                },
            )
        return web.json_response(
            {"error": f"no attachment {index} in message {wanted}"}, status=404
        )

    # -- live --------------------------------------------------------------------

    async def events(self, request: web.Request) -> web.StreamResponse:
        lang = _lang(request)
        self.hub.bind(asyncio.get_running_loop())
        listener = self.hub.listen()
        if listener is None:
            return web.json_response({"error": "too many open consoles"}, status=503)
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"}
        )
        try:
            await response.prepare(request)
            last = max((s.id for s in self.lab.store.sessions(last=1)), default=0)
            await response.write(_sse("hello", {"last": last, "clock": self.clock_json()}))
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(listener.wake.wait(), HEARTBEAT)
                listener.wake.clear()
                if self.hub.closed:
                    break
                last = await self._send_new(response, listener, last, lang)
                await response.write(b": alive\n\n")
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.hub.leave(listener)
        return response

    async def _send_new(
        self, response: web.StreamResponse, listener: Listener, last: int, lang: str
    ) -> int:
        if listener.overflowed:
            listener.overflowed = False
            await response.write(_sse("reload", {}))
        while listener.events:
            kind, data = listener.events.popleft()
            await response.write(_sse(kind, data))
            if kind == "reset":
                last = 0
        await self.lab.store.flush()
        for record in self.lab.store.sessions(last=LATEST):
            if record.id > last:
                await response.write(_sse("session", self.session_summary(record, lang)))
                last = record.id
        return last

    # -- writes ------------------------------------------------------------------

    def tenant_changed(self, applied: list[str], before_as_of: Any) -> None:
        """A live setting changed (API, ``exolab set``, the page): move the clock, tell pages."""
        after = self.lab.tenant.lab.as_of
        if after != before_as_of:
            move_clock(self.lab.clock, after)
            self.hub.publish("clock", self.clock_json())
        self.hub.publish("tenant", {"applied": applied})

    def faults_changed(self) -> None:
        """A fault rule was added or cleared: pages list the active rules again."""
        self.hub.publish("faults", {"rules": fault_listing(self.lab)})

    async def set_clock(self, request: web.Request) -> web.Response:
        try:
            body = parse_json(await request.read())
        except BadInput as error:
            return web.json_response({"error": str(error)}, status=400)
        text = body.get("as_of") if isinstance(body, dict) else None
        try:
            instant = parse_lab_date(text, "as_of") if isinstance(text, str) and text else None
        except LabDateError as error:
            return web.json_response({"error": str(error)}, status=400)
        before = self.lab.tenant.lab.as_of
        target = instant if instant is not None else self.startup_as_of
        self.lab.tenant = self.lab.tenant.model_copy(
            update={"lab": self.lab.tenant.lab.model_copy(update={"as_of": target})}
        )
        self.tenant_changed([f"Lab.AsOf={target.isoformat() if target else ''}"], before)
        return web.json_response({"ok": True, "clock": self.clock_json()})

    async def reset(self, request: web.Request) -> web.Response:
        try:
            body = parse_json(await request.read())
        except BadInput as error:
            return web.json_response({"error": str(error)}, status=400)
        if not isinstance(body, dict) or body.get("confirm") != "reset":
            return web.json_response({"error": 'a reset needs {"confirm": "reset"}'}, status=400)
        before = self.lab.tenant.lab.as_of
        self.lab.tenant = self.startup_tenant
        await self.lab.store.flush()
        self.lab.store.clear()
        self.hub.publish("reset", {})
        self.tenant_changed(["(the tenant file)"], before)
        return web.json_response({"ok": True})


def _sse(kind: str, data: Any) -> bytes:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _percent(name: str) -> str:
    return quote(name.encode("utf-8", "surrogateescape"), safe="")
