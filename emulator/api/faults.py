"""The lab API's fault routes: list, add and clear ``[[Fault]]`` rules while the lab runs.

- ``GET /api/faults``: each rule (tenant-file names) with how often it matched and fired.
- ``POST /api/faults`` ``{"fault": {"Stage": "eod", "Reply": "4.7.500", "Count": 1}}``:
  add a rule (``Name`` is made up when absent); the next session sees it.
- ``POST /api/faults/clear`` ``{}`` or ``{"name": "…"}``: remove every rule, or one.

Rules live in the tenant (``GET /api/tenant`` shows them, ``tenant/set`` reaches
``Fault[name].…``); their counters live in the lab's ``FaultBook``. Writes
go through the same guard as every write (token, JSON, no foreign Origin).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from exolab.emulator.api.inputs import BadInput, parse_json
from exolab.emulator.faults import FaultReplyError, resolve_reply
from exolab.emulator.lab import LabContext
from exolab.emulator.tenant import Tenant, TenantError, parse_tenant

MAX_RULES = 256
"""Rules a lab holds: each session consults every one at every stage."""


class FaultRoutes:
    """``changed`` is told after each add or clear (the console shows the rules live)."""

    def __init__(self, lab: LabContext, changed: Callable[[], None] | None = None) -> None:
        self.lab = lab
        self.changed = changed or (lambda: None)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/api/faults", self.listing),
            web.post("/api/faults", self.add),
            web.post("/api/faults/clear", self.clear),
        ]

    async def listing(self, request: web.Request) -> web.Response:
        return web.json_response(fault_listing(self.lab))

    async def add(self, request: web.Request) -> web.Response:
        try:
            body = parse_json(await request.read())
        except BadInput as error:
            return _error(400, str(error))
        rule = body.get("fault") if isinstance(body, dict) else None
        if not isinstance(rule, dict):
            return _error(400, 'expected {"fault": {"Stage": …, "Action": …}}')
        if len(self.lab.tenant.fault) >= MAX_RULES:
            return _error(400, f"the lab holds at most {MAX_RULES} fault rules")
        rule = dict(rule)
        taken = {f.name for f in self.lab.tenant.fault}
        rule.setdefault("Name", _free_name(taken))
        if isinstance(rule.get("Reply"), str):
            try:
                resolve_reply(rule["Reply"])
            except FaultReplyError as error:
                return _error(400, f"Fault.Reply: {error}", key="Reply")
        try:
            tenant = self._with_faults([*self._documents(), rule])
        except TenantError as error:
            return _error(400, str(error), key=error.key)
        self.lab.tenant = tenant
        self.changed()
        return web.json_response(
            {
                "ok": True,
                "fault": tenant.fault[-1].model_dump(by_alias=True, mode="json", exclude_none=True),
            }
        )

    async def clear(self, request: web.Request) -> web.Response:
        try:
            body = parse_json(await request.read() or b"{}")
        except BadInput as error:
            return _error(400, str(error))
        name = body.get("name") if isinstance(body, dict) else None
        if name is not None and not isinstance(name, str):
            return _error(400, '"name" is a rule name')
        kept = [d for d in self._documents() if name is not None and d.get("Name") != name]
        removed = len(self.lab.tenant.fault) - len(kept)
        self.lab.tenant = self._with_faults(kept)
        self.lab.faults.forget([f.name for f in self.lab.tenant.fault])
        self.changed()
        return web.json_response({"ok": True, "removed": removed})

    def _documents(self) -> list[dict[str, Any]]:
        return [
            f.model_dump(by_alias=True, mode="json", exclude_none=True)
            for f in self.lab.tenant.fault
        ]

    def _with_faults(self, rules: list[dict[str, Any]]) -> Tenant:
        document = self.lab.tenant.model_dump(by_alias=True, mode="json", exclude_none=True)
        document["Fault"] = rules
        return parse_tenant(document, "API")


def fault_listing(lab: LabContext) -> list[dict[str, Any]]:
    """Each rule as the tenant file writes it, with ``Matched`` and ``Fired`` so far."""
    return [
        {
            **rule.model_dump(by_alias=True, mode="json", exclude_none=True),
            "Matched": lab.faults.matched(rule.name),
            "Fired": lab.faults.fired(rule.name),
        }
        for rule in lab.tenant.fault
    ]


def _free_name(taken: set[str]) -> str:
    n = len(taken) + 1
    while f"fault-{n}" in taken:
        n += 1
    return f"fault-{n}"


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)
