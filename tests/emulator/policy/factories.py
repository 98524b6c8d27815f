"""Small builders of facts for the pure policy tests."""

from __future__ import annotations

from typing import Any

from exolab.emulator.clock import utc
from exolab.emulator.policy.facts import Credentials, SessionFacts
from exolab.emulator.tenant import Tenant, load_default_tenant, parse_assignment

DEFAULT = load_default_tenant()


def tenant(*pairs: str, **overrides: str) -> Tenant:
    """The demo tenant with ``--set``-style ``Key=Value`` overrides."""
    if pairs:
        return load_default_tenant([parse_assignment(p) for p in pairs])
    if not overrides:
        return DEFAULT
    return load_default_tenant([parse_assignment(f"{k}={v}") for k, v in overrides.items()])


def session(t: Tenant | None = None, **fields: Any) -> SessionFacts:
    base: dict[str, Any] = {
        "tenant": t or DEFAULT,
        "endpoint": "smtp.office365.com",
        "port": 587,
        "client_ip": "127.20.0.10",
        "public_ip": "203.0.113.39",
        "now": utc(2026, 11, 27, 9, 0),
        "tls_version": "TLSv1.3",
        "helo": "scanner",
        "esmtp": True,
    }
    base.update(fields)
    return SessionFacts(**base)


def creds(
    username: str = "scanner@contoso.com", password: str = "Scan-2-Mail!", **kw: Any
) -> Credentials:
    t = kw.pop("t", None)
    return Credentials(session(t, **kw), "LOGIN", username, password)
