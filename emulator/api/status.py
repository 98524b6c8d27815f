"""``GET /api/status`` and ``GET /api/message-ids``: what ``exolab fleet`` asks of the lab.

``rss`` is the lab process's resident memory now (``current_kib``, VmRSS) and
at its peak (``peak_kib``, VmHWM), read from ``/proc/self/status``: a fleet
run reports the lab's memory, not the client's. Where /proc is missing (not
Linux) both are null rather than a guess.

``/api/message-ids`` lists each stored copy as ``[message_id, session_id]``
and nothing else: a fleet counts duplicates over thousands of messages, and
``/api/messages`` parses every body for its subject and attachments.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from exolab.emulator.lab import LabContext
from exolab.emulator.store.views import shown

PROC_STATUS = Path("/proc/self/status")


def memory_kib(text: str) -> dict[str, int | None]:
    """``VmRSS`` and ``VmHWM`` of a ``/proc/PID/status`` text, in KiB (absent: None)."""
    found: dict[str, int | None] = {"current_kib": None, "peak_kib": None}
    keys = {"VmRSS": "current_kib", "VmHWM": "peak_kib"}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name in keys:
            number = rest.split()[0] if rest.split() else ""
            found[keys[name]] = int(number) if number.isdigit() else None
    return found


def lab_memory(path: Path = PROC_STATUS) -> dict[str, int | None]:
    try:
        return memory_kib(path.read_text(encoding="ascii", errors="replace"))
    except OSError:
        return {"current_kib": None, "peak_kib": None}


class StatusRoutes:
    def __init__(self, lab: LabContext) -> None:
        self.lab = lab

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/api/status", self.status),
            web.get("/api/message-ids", self.message_ids),
        ]

    async def status(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "rss": lab_memory()})

    async def message_ids(self, request: web.Request) -> web.Response:
        found = self.lab.store.messages()
        # client text: a non-UTF-8 Message-ID is shown escaped, as every listing shows it
        return web.json_response([[shown(m.message_id), m.session_id] for m in found])
