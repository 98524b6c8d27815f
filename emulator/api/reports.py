"""The lab API's report routes: the SMTP AUTH clients report as JSON or as a CSV download.

- ``GET /api/reports/smtp-auth-clients``: one object per sender (``auth_report``).
- ``GET /api/reports/smtp-auth-clients?format=csv``: the same rows as a CSV file,
  always a download (``Content-Disposition: attachment``), cells that a
  spreadsheet would run as a formula neutralised.

Reads, like ``/api/sessions``: open to whoever reaches the API (loopback by default).
"""

from __future__ import annotations

from aiohttp import web

from exolab.emulator.api.auth_report import auth_clients_report, report_csv
from exolab.emulator.lab import LabContext

CSV_NAME = "smtp-auth-clients.csv"


class ReportRoutes:
    def __init__(self, lab: LabContext) -> None:
        self.lab = lab

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/api/reports/smtp-auth-clients", self.smtp_auth_clients)]

    async def smtp_auth_clients(self, request: web.Request) -> web.Response:
        await self.lab.store.flush()
        rows = auth_clients_report(self.lab.store.sessions())
        wanted = request.query.get("format", "json")
        if wanted == "csv":
            return web.Response(
                body=report_csv(rows).encode("utf-8"),
                content_type="text/csv",
                charset="utf-8",
                headers={
                    "Content-Disposition": f'attachment; filename="{CSV_NAME}"',
                    "X-Content-Type-Options": "nosniff",
                    "Cache-Control": "no-store",
                },
            )
        if wanted != "json":
            return web.json_response({"error": "format is json or csv"}, status=400)
        return web.json_response([row.as_json() for row in rows])
