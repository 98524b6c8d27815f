"""XOAUTH2 at AUTH: is this bearer token good for sending as this user? Pure, no I/O.

Exchange Online answers every bad token with ``535 5.7.3 Authentication
unsuccessful`` (``auth.failed``; CONFIRMED, spec section 3: MailKit #1770,
#1733) and never says why; the lab records WHICH check failed in the
session note so ``explain`` can. The tenant and mailbox SMTP AUTH switches
block OAuth too (5.7.139, LIKELY); basic-auth retirement does not apply.

Checks run in this order (each a named rule, Postfix-style):
token.malformed, token.signature, token.issuer, token.tenant,
token.not_yet_valid, token.expired, token.audience, app.unknown,
then for a delegated token (``scp``) token.scope, app.consent, user.mismatch,
or for an app-only token (``roles``) token.role, app.service_principal;
then mailbox.unknown, app.mailbox_permission (app-only), mailbox.shared,
mailbox.unlicensed, smtp_auth.disabled.tenant / smtp_auth.disabled.mailbox.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from exolab.emulator.entra.tokens import (
    EXCHANGE_AUDIENCES,
    SMTP_SEND,
    SMTP_SEND_AS_APP,
    v1_issuer,
    v2_issuer,
)
from exolab.emulator.policy import tls
from exolab.emulator.policy.auth import auth_success
from exolab.emulator.policy.facts import Credentials, SessionFacts
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import catalog
from exolab.emulator.replies.model import Reply
from exolab.emulator.tenant.model import App, Mailbox, Tenant

CLOCK_SKEW = 300
"""Seconds of tolerance on nbf/exp (Microsoft.IdentityModel's default ClockSkew; LIKELY)."""

CHECKS = (
    "sasl.malformed",
    "token.malformed",
    "token.signature",
    "token.issuer",
    "token.tenant",
    "token.not_yet_valid",
    "token.expired",
    "token.audience",
    "app.unknown",
    "token.scope",
    "app.consent",
    "user.mismatch",
    "token.role",
    "app.service_principal",
    "mailbox.unknown",
    "app.mailbox_permission",
    "mailbox.shared",
    "mailbox.unlicensed",
    "smtp_auth.disabled.tenant",
    "smtp_auth.disabled.mailbox",
)


@dataclass(frozen=True)
class SaslXoauth2:
    """``user=<addr>^Aauth=Bearer <token>^A^A`` decoded."""

    user: str
    token: str


def parse_sasl(response: str) -> SaslXoauth2 | None:
    """The base64 client response as user and token; None when it is not XOAUTH2."""
    try:
        raw = base64.b64decode(response.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    fields: dict[str, str] = {}
    for part in raw.split("\x01"):
        key, sep, value = part.partition("=")
        if sep:
            fields[key.strip().lower()] = value
    user, auth = fields.get("user", "").strip(), fields.get("auth", "")
    scheme, _, token = auth.partition(" ")
    if not user or scheme.lower() != "bearer" or not token.strip():
        return None
    return SaslXoauth2(user, token.strip())


@dataclass(frozen=True)
class TokenVerdict:
    """The outcome: the catalog reply, the check that decided it, why, and the mailbox."""

    reply: Reply
    check: str  # "ok" or one of CHECKS
    note: str
    mailbox: Mailbox | None = None
    claims: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.check == "ok"


class _Fail(Exception):
    def __init__(self, check: str, note: str, reply: Reply = catalog.AUTH_FAILED) -> None:
        self.check, self.note, self.reply = check, note, reply
        super().__init__(check)


def fail_sasl(detail: str) -> TokenVerdict:
    """A client response that is not a XOAUTH2 string at all."""
    return TokenVerdict(catalog.AUTH_FAILED, "sasl.malformed", f"XOAUTH2 response: {detail}")


def check_xoauth2(
    tenant: Tenant,
    now: datetime,
    keys: Mapping[str, RSAPublicKey],
    user: str,
    token: str,
) -> TokenVerdict:
    """Judge ``token`` for SMTP as ``user`` against ``tenant`` at lab time ``now``."""
    try:
        claims = _verified_claims(keys, token)
        _check_claims(tenant, now, claims)
        mailbox = _check_grant(tenant, claims, user)
    except _Fail as failed:
        return TokenVerdict(failed.reply, failed.check, failed.note)
    return TokenVerdict(
        catalog.AUTH_SUCCESS,
        "ok",
        f"XOAUTH2 as {mailbox.primary_smtp_address} (app {claims.get('appid')}, "
        f"{'scp=' + str(claims['scp']) if 'scp' in claims else 'roles=' + ','.join(claims.get('roles', []))})",
        mailbox,
        claims,
    )


def _verified_claims(keys: Mapping[str, RSAPublicKey], token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise _Fail("token.malformed", f"the bearer token is not a JWT ({exc})") from None
    kid = header.get("kid")
    key = keys.get(str(kid)) if kid is not None else None
    if key is None:
        raise _Fail("token.signature", f"signed with a key the lab does not publish (kid {kid!r})")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            options={
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "verify_aud": False,
                "verify_iss": False,
            },
        )
    except jwt.InvalidSignatureError:
        raise _Fail("token.signature", "the signature does not verify with the lab key") from None
    except jwt.InvalidTokenError as exc:
        raise _Fail("token.signature", f"the token cannot be verified ({exc})") from None
    return claims


def _timestamp(claims: Mapping[str, Any], name: str) -> int:
    value = claims.get(name)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _Fail("token.malformed", f"the {name} claim is missing or not a number")
    return int(value)


def _check_claims(tenant: Tenant, now: datetime, claims: Mapping[str, Any]) -> None:
    tid = tenant.tenant.tenant_id
    iss = claims.get("iss")
    if iss not in (v1_issuer(tid), v2_issuer(tid)):
        raise _Fail("token.issuer", f"iss is {iss!r}, not this tenant's issuer {v1_issuer(tid)}")
    if str(claims.get("tid", "")).lower() != tid.lower():
        raise _Fail("token.tenant", f"tid is {claims.get('tid')!r}, the tenant is {tid}")
    stamp = int(now.timestamp())
    nbf, exp = _timestamp(claims, "nbf"), _timestamp(claims, "exp")
    if nbf > stamp + CLOCK_SKEW:
        raise _Fail("token.not_yet_valid", f"nbf {nbf} is after the lab time {stamp}")
    if exp <= stamp - CLOCK_SKEW:
        raise _Fail("token.expired", f"exp {exp} is before the lab time {stamp}")
    aud = claims.get("aud")
    if aud not in EXCHANGE_AUDIENCES:
        raise _Fail(
            "token.audience",
            f"aud is {aud!r}; Exchange needs https://outlook.office.com (delegated) or "
            "https://outlook.office365.com (app-only)",
        )


def _mailbox_for(tenant: Tenant, address: str) -> Mailbox:
    mailbox = tenant.find_mailbox(address)
    if mailbox is None:
        raise _Fail("mailbox.unknown", f"no mailbox {address} in the tenant")
    return mailbox


def _check_grant(tenant: Tenant, claims: Mapping[str, Any], user: str) -> Mailbox:
    app_id = str(claims.get("appid") or claims.get("azp") or "")
    app = tenant.find_app(app_id)
    if app is None:
        raise _Fail("app.unknown", f"appid {app_id!r} is not registered in the tenant")
    if "scp" in claims:
        mailbox = _check_delegated(tenant, app, claims, user)
    elif "roles" in claims or claims.get("idtyp") == "app":
        mailbox = _check_app_only(tenant, app, claims, user)
    else:
        raise _Fail("token.scope", "the token carries neither scp nor roles")
    if mailbox.recipient_type_details == "SharedMailbox":
        raise _Fail("mailbox.shared", f"{mailbox.primary_smtp_address} is a shared mailbox")
    if not mailbox.licensed:
        raise _Fail("mailbox.unlicensed", f"{mailbox.primary_smtp_address} has no licence")
    disabled, switch = tenant.smtp_auth_disabled_for(mailbox)
    if disabled:
        reply = (
            catalog.AUTH_DISABLED_TENANT if switch == "Tenant" else catalog.AUTH_DISABLED_MAILBOX
        )
        raise _Fail(
            f"smtp_auth.disabled.{switch.lower()}",
            f"SmtpClientAuthenticationDisabled is true for the {switch} (it blocks OAuth too)",
            reply,
        )
    return mailbox


def _check_delegated(tenant: Tenant, app: App, claims: Mapping[str, Any], user: str) -> Mailbox:
    scopes = str(claims.get("scp", "")).split()
    if SMTP_SEND not in scopes:
        raise _Fail("token.scope", f"scp {' '.join(scopes)!r} lacks SMTP.Send")
    consented = any(
        g.scope.lower().endswith("/smtp.send") and g.admin_consented
        for g in app.delegated_permissions
    )
    if not consented:
        raise _Fail("app.consent", f"{app.display_name}: SMTP.Send has no admin consent")
    upn = str(claims.get("upn") or claims.get("unique_name") or "")
    token_mailbox = tenant.find_mailbox(upn) if upn else None
    if user.strip().lower() != upn.lower() and (
        token_mailbox is None or user.strip().lower() not in token_mailbox.addresses()
    ):
        raise _Fail("user.mismatch", f"SASL user {user} is not the token's user {upn or '(none)'}")
    return _mailbox_for(tenant, upn or user)


def _check_app_only(tenant: Tenant, app: App, claims: Mapping[str, Any], user: str) -> Mailbox:
    roles = claims.get("roles") or []
    if not isinstance(roles, list) or SMTP_SEND_AS_APP not in roles:
        raise _Fail("token.role", f"roles {roles!r} lack SMTP.SendAsApp")
    sp = tenant.find_service_principal(app.app_id)
    if sp is None:
        raise _Fail(
            "app.service_principal",
            f"{app.display_name} has no Exchange service principal (New-ServicePrincipal)",
        )
    mailbox = _mailbox_for(tenant, user)
    if not mailbox.addresses() & set(sp.mailbox_permissions):
        raise _Fail(
            "app.mailbox_permission",
            f"the service principal {sp.object_id} holds no permission on {user}",
        )
    return mailbox


# -- the seam the SMTP adapter calls ---------------------------------------------------


def check_xoauth2_response(
    session: SessionFacts, keys: Mapping[str, RSAPublicKey], response: str
) -> Verdict:
    """The AUTH verdict for one XOAUTH2 client response (base64), in the stage's order.

    First the organization's legacy-TLS opt-in (it gates every sign-in on
    smtp-legacy.office365.com, not only basic ones), then the token checks.
    The rule name is ``xoauth2_token``; the failed check leads the reason,
    e.g. ``token.audience: aud is 'https://graph.microsoft.com'; …``.
    """
    sasl = parse_sasl(response)
    user = sasl.user if sasl else ""
    opt_in = tls.legacy_tls_requires_opt_in(Credentials(session, "XOAUTH2", user, ""))
    if opt_in is not None:
        return opt_in
    if sasl is None:
        verdict = fail_sasl("not user=…^Aauth=Bearer …^A^A in base64")
    else:
        verdict = check_xoauth2(session.tenant, session.now, keys, sasl.user, sasl.token)
    return as_verdict(verdict)


def as_verdict(result: TokenVerdict) -> Verdict:
    """A ``TokenVerdict`` as the policy layer's ``Verdict`` (rule ``xoauth2_token``)."""
    if result.ok and result.mailbox is not None:
        return auth_success(result.mailbox.primary_smtp_address, "XOAUTH2")
    return Verdict(result.reply, "xoauth2_token", f"{result.check}: {result.note}")
