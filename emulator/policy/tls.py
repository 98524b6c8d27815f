"""TLS rules of client submission: STARTTLS before AUTH, and the TLS 1.0/1.1 refusals.

smtp.office365.com negotiates TLS 1.0/1.1 and then refuses at AUTH with
421 4.7.66 and closes (an endpoint rule: no organization is needed, so it is
checked on the AUTH command). smtp-legacy.office365.com admits TLS 1.0/1.1
only for organizations that set ``AllowLegacyTLSClients``: that depends on
whose credentials these are, so it is checked with the credentials (5.7.67,
basic code from ``Lab.LegacyTlsReplyCode`` because Microsoft's is unknown).
"""

from __future__ import annotations

from dataclasses import replace

from exolab.emulator.policy.facts import DEFAULT_ENDPOINT, LEGACY_ENDPOINT, AuthCommand, Credentials
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import catalog


def require_tls_before_auth(cmd: AuthCommand) -> Verdict | None:
    """AUTH is not advertised before STARTTLS, so it is an unrecognized type (LIKELY)."""
    if cmd.session.tls_version is None:
        return Verdict(catalog.AUTH_UNRECOGNIZED, "require_tls_before_auth", "AUTH before STARTTLS")
    return None


def refuse_legacy_tls_on_default_endpoint(cmd: AuthCommand) -> Verdict | None:
    s = cmd.session
    if s.endpoint == DEFAULT_ENDPOINT and s.legacy_tls:
        return Verdict(
            catalog.AUTH_LEGACY_TLS,
            "refuse_legacy_tls_on_default_endpoint",
            f"{s.tls_version} on {s.endpoint}: TLS 1.2 or later required",
            close=True,
        )
    return None


def legacy_tls_requires_opt_in(creds: Credentials) -> Verdict | None:
    s = creds.session
    if s.endpoint != LEGACY_ENDPOINT or not s.legacy_tls:
        return None
    if s.tenant.transport_config.allow_legacy_tls_clients:
        return None
    code = s.tenant.lab.legacy_tls_reply_code
    reply = catalog.AUTH_LEGACY_TLS_NOT_OPTED_IN
    if code != reply.code:
        # Microsoft's basic code is unknown: the lab setting picks it, the text stays the catalog's.
        reply = replace(reply, code=code, enhanced=f"{str(code)[0]}.7.67", close=code == 421)
    return Verdict(
        reply,
        "legacy_tls_requires_opt_in",
        f"{s.tls_version} on {s.endpoint} and TransportConfig.AllowLegacyTLSClients is false",
    )
