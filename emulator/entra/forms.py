"""Reading a token-service request body the way it must be: UTF-8 form fields, or a refusal.

Entra's endpoints take ``application/x-www-form-urlencoded`` UTF-8 (and the
lab also reads ``multipart/form-data``). A body that is not valid UTF-8 once
percent-decoded, or a multipart body whose boundary is missing or broken,
cannot be read: ``MalformedForm``, which the service answers with Entra's
"request is malformed" error instead of failing inside the web framework.
Credentials sent as ``client_secret_basic`` (an Authorization header) are
merged in, the way Entra accepts them.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qsl, unquote

from aiohttp import web

MULTIPART = "multipart/form-data"
URLENCODED = ("application/x-www-form-urlencoded", "")


class MalformedForm(ValueError):
    """The request body cannot be read as form fields."""


def parse_urlencoded(body: bytes) -> dict[str, str]:
    """Strict UTF-8 both before and after percent-decoding; the first value of a name wins."""
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedForm(str(exc)) from None
    form: dict[str, str] = {}
    for name, value in pairs:
        form.setdefault(name, value)
    return form


async def _multipart(request: web.Request) -> dict[str, str]:
    try:
        data = await request.post()
    except web.HTTPException:
        raise
    except (ValueError, AssertionError, LookupError, UnicodeDecodeError) as exc:
        # aiohttp reports a missing or broken boundary and undecodable parts this way
        raise MalformedForm(f"unreadable multipart body ({exc})") from None
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _basic_credentials(header: str) -> tuple[str, str] | None:
    if not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = raw.partition(":")
    return (unquote(client_id), unquote(secret)) if sep else None


async def read_form(request: web.Request) -> dict[str, str]:
    """The body's fields, plus client_secret_basic credentials when sent in a header."""
    if request.content_type == MULTIPART:
        form = await _multipart(request)
    elif request.content_type in URLENCODED:
        form = parse_urlencoded(await request.read())
    else:
        form = {}  # another body type carries no form fields
    basic = _basic_credentials(request.headers.get("Authorization", ""))
    if basic is not None:
        form.setdefault("client_id", basic[0])
        form.setdefault("client_secret", basic[1])
    return form
