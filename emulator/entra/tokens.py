"""Minting access tokens: real RS256 JWTs with the claims Exchange Online checks.

Exchange Online's resource takes v1.0 access tokens, so the lab mints those:
``iss`` is ``https://sts.windows.net/<tid>/``, ``aud`` the resource as
requested (``https://outlook.office.com`` for delegated SMTP.Send,
``https://outlook.office365.com`` for app-only ``/.default``), ``scp`` a
space-separated list of delegated scopes or ``roles`` a list of app roles,
``appid``, ``tid``, ``oid``, ``upn`` / ``unique_name`` for a user, and
``iat`` / ``nbf`` / ``exp`` from the LAB clock.
Sources: https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference ;
https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt

from exolab.emulator.entra.keys import SigningKey

DELEGATED_AUDIENCE = "https://outlook.office.com"
APP_ONLY_AUDIENCE = "https://outlook.office365.com"
EXCHANGE_APP_ID = "00000002-0000-0ff1-ce00-000000000000"
"""Office 365 Exchange Online's application id (the GUID form of its audience)."""

EXCHANGE_AUDIENCES = frozenset(
    {
        DELEGATED_AUDIENCE,
        APP_ONLY_AUDIENCE,
        DELEGATED_AUDIENCE + "/",
        APP_ONLY_AUDIENCE + "/",
        EXCHANGE_APP_ID,
    }
)
SMTP_SEND = "SMTP.Send"
SMTP_SEND_AS_APP = "SMTP.SendAsApp"


def v1_issuer(tenant_id: str) -> str:
    return f"https://sts.windows.net/{tenant_id}/"


def v2_issuer(tenant_id: str) -> str:
    return f"https://login.microsoftonline.com/{tenant_id}/v2.0"


def user_object_id(tenant_id: str, address: str) -> str:
    """A stable ``oid`` for a mailbox user (the tenant file has no object ids for users)."""
    return str(uuid.uuid5(uuid.UUID(tenant_id), address.lower()))


@dataclass(frozen=True)
class Subject:
    """Who the token is for: a user (delegated) or the app itself (app-only)."""

    kind: str  # "user" | "app"
    object_id: str
    upn: str | None = None
    name: str = ""


def build_claims(
    *,
    tenant_id: str,
    app_id: str,
    audience: str,
    subject: Subject,
    now: datetime,
    lifetime: int,
    rng: random.Random,
    scopes: tuple[str, ...] = (),
    roles: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The claim set of one v1.0 access token."""
    iat = int(now.timestamp())
    claims: dict[str, Any] = {
        "aud": audience,
        "iss": v1_issuer(tenant_id),
        "iat": iat,
        "nbf": iat,
        "exp": iat + lifetime,
        "appid": app_id,
        "appidacr": "1" if subject.kind == "app" else "0",
        "idtyp": subject.kind,
        "oid": subject.object_id,
        "sub": subject.object_id,
        "tid": tenant_id,
        "uti": uuid.UUID(int=rng.getrandbits(128), version=4).hex[:22],
        "ver": "1.0",
    }
    if scopes:
        claims["scp"] = " ".join(scopes)
    if roles:
        claims["roles"] = list(roles)
    if subject.upn:
        claims["upn"] = subject.upn
        claims["unique_name"] = subject.upn
        claims["name"] = subject.name or subject.upn
    return claims


def sign(claims: dict[str, Any], key: SigningKey) -> str:
    """RS256-sign ``claims`` with ``key`` (its kid and x5t in the header, as Entra does)."""
    return jwt.encode(
        claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, "x5t": key.kid}
    )


__all__ = [
    "APP_ONLY_AUDIENCE",
    "DELEGATED_AUDIENCE",
    "EXCHANGE_APP_ID",
    "EXCHANGE_AUDIENCES",
    "SMTP_SEND",
    "SMTP_SEND_AS_APP",
    "Subject",
    "build_claims",
    "sign",
    "user_object_id",
    "v1_issuer",
    "v2_issuer",
]
