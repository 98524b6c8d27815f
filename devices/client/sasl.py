"""SASL payloads the firmware sends: LOGIN, PLAIN and XOAUTH2 (all base64)."""

from __future__ import annotations

import base64


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def decode_prompt(text: str) -> str:
    """The decoded 334 challenge; the raw text when it is not base64."""
    try:
        return base64.b64decode(text.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return text


def plain_response(username: str, password: str, authzid: str = "") -> str:
    return b64(f"{authzid}\0{username}\0{password}")


def xoauth2_response(user: str, token: str) -> str:
    """``user=<addr>^Aauth=Bearer <token>^A^A`` in base64."""
    return b64(f"user={user}\x01auth=Bearer {token}\x01\x01")
