"""Downloading a session's capture from the lab API: its pcap, and its TLS key log.

Only a file of the lab's own captures folder is ever served, and its name is
built from the route's id after ``parse_id`` made it a whole number: no text
of the caller reaches a path, so ``..``, ``%2f`` or an absolute path cannot
name another file (the route's ``[0-9]+`` already refuses them with 404). A
name in the folder that is a symbolic link, or that resolves outside it, is
not served either.

The pcap is a read like a stored message: open to whoever reaches the API.
The key log decrypts the session, AUTH included, and the API shows
credentials only to the token holder (``guard``), so it needs the token
(``exolab capture`` copies both without one, from the data directory).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from exolab.emulator.api.guard import ApiAccess, Refusal, refusal_response, token_ok
from exolab.emulator.api.inputs import BadInput, parse_id
from exolab.emulator.capture.files import CaptureFiles, captures_dir
from exolab.emulator.lab import LabContext

PCAP_TYPE = "application/vnd.tcpdump.pcap"
"""The media type IANA registered for pcap files."""
KINDS = {"capture.pcap": ("pcap", PCAP_TYPE), "capture.keys": ("keylog", "text/plain")}


def download_url(session_id: int, kind: str) -> str:
    return f"/api/sessions/{session_id}/{'capture.pcap' if kind == 'pcap' else 'capture.keys'}"


class ApiCaptureFiles(CaptureFiles):
    """As ``CaptureFiles``, with the API path that downloads each file."""

    def of(self, session_id: int) -> dict[str, str | None] | None:
        found = super().of(session_id)
        if found is None:
            return None
        found["pcap_url"] = download_url(session_id, "pcap")
        found["keylog_url"] = download_url(session_id, "keylog") if found["keylog"] else None
        return found


class CaptureRoutes:
    """The two download routes over one lab's captures folder."""

    def __init__(self, lab: LabContext, access: ApiAccess) -> None:
        self.lab = lab
        self.access = access

    def files(self) -> ApiCaptureFiles:
        return ApiCaptureFiles(captures_dir(self.lab.data_dir))

    def routes(self) -> list[web.RouteDef]:
        return [web.get(f"/api/sessions/{{id:[0-9]+}}/{name}", self.download) for name in KINDS]

    async def download(self, request: web.Request) -> web.StreamResponse:
        try:
            wanted = parse_id(request.match_info["id"])
        except BadInput as error:
            return _error(400, str(error))
        name = request.path.rsplit("/", 1)[-1]
        kind, media_type = KINDS[name]
        if kind == "keylog" and not token_ok(self.access, request.headers.get("Authorization")):
            return refusal_response(
                Refusal(
                    401,
                    "a key log decrypts the session's sign-in: send 'Authorization: Bearer "
                    "<token>' with the api_token from endpoints.json, or copy it with exolab capture",
                )
            )
        folder = captures_dir(self.lab.data_dir)
        path = CaptureFiles(folder).path(wanted, kind)
        if path is None or path.is_symlink() or path.resolve().parent != folder.resolve():
            return _error(404, f"no {kind} captured for session {wanted}")
        headers = {
            "Content-Type": media_type,
            "Content-Disposition": f'attachment; filename="{path.name}"',
            "X-Content-Type-Options": "nosniff",
        }
        return web.FileResponse(path, headers=headers)


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)
