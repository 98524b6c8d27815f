"""Everything the state machine needs for one session, as one frozen object.

The driver builds it from the profile, the settings, the quirks and the job;
the machine never sees a Profile, so it can be tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from exolab.devices.quirks.base import SecurityMode

Mechanism = Literal["LOGIN", "PLAIN", "XOAUTH2"]


@dataclass(frozen=True)
class ClientConfig:
    greeting_verb: Literal["EHLO", "HELO"] = "EHLO"
    greeting_name: str = "MFP-SIM"
    security: SecurityMode = "none"
    tls_active: bool = False  # True when the connection started with implicit TLS
    mechanisms: tuple[Mechanism, ...] = ()
    auth_choice: Literal["advertised", "first"] = "advertised"
    username: str = ""
    password: str = ""
    token: str | None = None  # XOAUTH2 bearer token, fetched by the driver
    envelope_from: str = ""
    recipients: tuple[str, ...] = ()
    message: bytes = b""  # the RFC 5322 message with CRLF line endings
    line_ending: Literal["crlf", "bare-lf"] = "crlf"
    pipelining: bool = False
    size_declaration: bool = False

    @property
    def eol(self) -> bytes:
        return b"\r\n" if self.line_ending == "crlf" else b"\n"

    def usable_mechanisms(self) -> tuple[Mechanism, ...]:
        """Mechanisms for which the device holds credentials."""
        return tuple(
            m for m in self.mechanisms if (self.token if m == "XOAUTH2" else self.username)
        )
