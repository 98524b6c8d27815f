"""The AUTH seam: a registry of SASL mechanisms the adapter drives.

A mechanism gets an ``AuthExchange`` (the session's facts, and a way to send
a 334 challenge from the catalog and read the answer) and the initial
response if the client sent one; it returns an ``AuthResult``: the verdict to
send and, on success, the identity. Mechanisms are discovered: every module
in ``emulator.smtp.mechanisms`` that defines ``MECHANISM`` is registered
under its name, so XOAUTH2 arrives as one new file and no edit here.
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from dataclasses import dataclass
from typing import Protocol

from exolab.emulator.lab import LabContext
from exolab.emulator.policy.facts import SessionFacts
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import catalog
from exolab.emulator.replies.model import Reply


@dataclass(frozen=True, slots=True)
class AuthResult:
    verdict: Verdict
    identity: str | None = None
    """The mailbox's primary address when the verdict is a success."""


class AuthExchange(Protocol):
    def facts(self) -> SessionFacts:
        """The connection as policy sees it, now."""
        ...

    def lab(self) -> LabContext:
        """The running lab (its data directory holds, e.g., the token signing keys)."""
        ...

    async def challenge(self, reply: Reply, **params: object) -> str | None:
        """Send ``reply`` (a 334 from the catalog), return the client's answer line.

        None when the client cancelled with ``*``. Every answer is a
        credential (a LOGIN user name may be a password typed in the wrong
        field): the stored transcript shows ``<redacted>``.
        """
        ...

    def keep_secret(self, *values: str | None) -> None:
        """Cut ``values`` (a decoded password, a bearer token) out of all the session records."""
        ...


class Mechanism(Protocol):
    name: str
    """As on the wire: ``LOGIN``, ``XOAUTH2``. An initial response on the AUTH line is always
    redacted, whatever the mechanism."""

    async def authenticate(self, exchange: AuthExchange, initial: str | None) -> AuthResult: ...


def cancelled(mechanism: str) -> AuthResult:
    return AuthResult(
        Verdict(catalog.AUTH_CANCELLED, "auth_cancelled", f"client sent '*' during {mechanism}")
    )


def bad_base64(mechanism: str) -> AuthResult:
    return AuthResult(
        Verdict(catalog.AUTH_BAD_BASE64, "auth_base64", f"{mechanism} answer is not base64")
    )


def decode_base64(text: str) -> str | None:
    """The UTF-8 text a client sent in base64; None when it is not base64."""
    try:
        raw = b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.decode("utf-8", "surrogateescape")
