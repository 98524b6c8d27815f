"""The pure XOAUTH2 token check: only the fully valid claim set passes; each defect is named.

Hypothesis builds claim sets from a valid delegated or app-only base plus any
subset of defects. Every defect alone fails with its own check; any mix fails
with one of its checks; the empty mix passes.
"""

from __future__ import annotations

import base64
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exolab.emulator.clock import utc
from exolab.emulator.entra import SigningKey
from exolab.emulator.entra.tokens import Subject, build_claims, sign, user_object_id
from exolab.emulator.policy.facts import SessionFacts
from exolab.emulator.policy.xoauth2 import (
    CHECKS,
    check_xoauth2,
    check_xoauth2_response,
    parse_sasl,
)
from exolab.emulator.replies import catalog
from exolab.emulator.tenant import Tenant, load_default_tenant, parse_assignment
from tests.emulator.entra import conftest

NOW = utc(2026, 5, 4, 9, 30)
TID = "9188040d-6c67-4c5b-b112-36a304b66dad"
PANEL_APP = "c0ffee00-1d2e-4f3a-9b8c-7d6e5f4a3b2c"
NO_CONSENT_APP = "0badc0de-5e4d-4c3b-8a29-1f0e9d8c7b6a"
APP_ONLY = "5f0c2a8e-3a51-4c47-9d0e-1b5a6c7d8e90"
NO_SP_APP = "7e57ab1e-0a1b-4c2d-8e3f-4a5b6c7d8e9f"
KEY = conftest._KEY
OTHER = conftest._OTHER_KEY
KEYS = {KEY.kid: KEY.public_key}

_TENANTS: dict[tuple[str, ...], Tenant] = {}


def tenant_with(*assignments: str) -> Tenant:
    base = ("TransportConfig.SmtpClientAuthenticationDisabled=false", *assignments)
    if base not in _TENANTS:
        _TENANTS[base] = load_default_tenant([parse_assignment(a) for a in base])
    return _TENANTS[base]


@dataclass
class Case:
    """One attempt: claims, how they are signed, the SASL user, the tenant switches."""

    claims: dict[str, Any]
    user: str
    signer: SigningKey = KEY
    kid: str | None = None
    tenant_settings: list[str] = field(default_factory=list)

    def token(self) -> str:
        if self.kid is None:
            return sign(self.claims, self.signer)
        return jwt.encode(
            self.claims, self.signer.private_key, algorithm="RS256", headers={"kid": self.kid}
        )

    def run(self) -> Any:
        tenant = tenant_with(*self.tenant_settings)
        return check_xoauth2(tenant, NOW, KEYS, self.user, self.token())


def delegated(user: str = "alice@contoso.com", app: str = PANEL_APP) -> Case:
    claims = build_claims(
        tenant_id=TID,
        app_id=app,
        audience="https://outlook.office.com",
        subject=Subject("user", user_object_id(TID, user), upn=user),
        now=NOW - timedelta(minutes=1),
        lifetime=3600,
        rng=random.Random(0),
        scopes=("SMTP.Send",),
    )
    return Case(claims, user)


def app_only() -> Case:
    claims = build_claims(
        tenant_id=TID,
        app_id=APP_ONLY,
        audience="https://outlook.office365.com",
        subject=Subject("app", "6a1d3c9b-2f4e-4d8a-b7c6-5e4f3a2b1c0d"),
        now=NOW - timedelta(minutes=1),
        lifetime=3600,
        rng=random.Random(0),
        roles=("SMTP.SendAsApp",),
    )
    return Case(claims, "scanner@contoso.com")


def _stamp(when: datetime) -> int:
    return int(when.timestamp())


Defect = Callable[[Case], None]


def _set(name: str, value: Any) -> Defect:
    def apply(case: Case) -> None:
        case.claims[name] = value

    return apply


def _other_signer(case: Case) -> None:
    case.signer, case.kid = OTHER, KEY.kid  # claims the lab's kid, signed by another key


def _unknown_kid(case: Case) -> None:
    case.signer = OTHER


def _user(address: str) -> Defect:
    def apply(case: Case) -> None:
        case.claims["upn"] = case.claims["unique_name"] = address
        case.user = address

    return apply


def _sasl_user(address: str) -> Defect:
    def apply(case: Case) -> None:
        case.user = address

    return apply


def _tenant(assignment: str) -> Defect:
    def apply(case: Case) -> None:
        case.tenant_settings.append(assignment)

    return apply


COMMON: dict[str, list[Defect]] = {
    "token.signature": [_other_signer, _unknown_kid],
    "token.issuer": [_set("iss", "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/")],
    "token.tenant": [_set("tid", "72f988bf-86f1-41af-91ab-2d7cd011db47")],
    "token.not_yet_valid": [_set("nbf", _stamp(NOW + timedelta(hours=1)))],
    "token.expired": [_set("exp", _stamp(NOW - timedelta(hours=1)))],
    "token.audience": [
        _set("aud", "https://graph.microsoft.com"),
        _set("aud", "00000003-0000-0000-c000-000000000000"),
    ],
    "app.unknown": [_set("appid", str(uuid.UUID(int=7)))],
    "smtp_auth.disabled.tenant": [_tenant("TransportConfig.SmtpClientAuthenticationDisabled=true")],
}
DELEGATED: dict[str, list[Defect]] = COMMON | {
    "token.scope": [_set("scp", "Mail.Read"), _set("scp", "")],
    "app.consent": [_set("appid", NO_CONSENT_APP)],
    "user.mismatch": [_sasl_user("bob@contoso.com")],
    "mailbox.unknown": [_user("ghost@contoso.com")],
    "mailbox.shared": [_user("frontdesk@contoso.com")],
    "mailbox.unlicensed": [_tenant("Mailbox[alice@contoso.com].Licensed=false")],
    "smtp_auth.disabled.mailbox": [
        _tenant("Mailbox[alice@contoso.com].SmtpClientAuthenticationDisabled=true")
    ],
}
APP_ONLY_DEFECTS: dict[str, list[Defect]] = COMMON | {
    "token.role": [_set("roles", ["Mail.Send"])],
    "app.service_principal": [_set("appid", NO_SP_APP)],
    "app.mailbox_permission": [_sasl_user("alice@contoso.com")],
    "mailbox.unknown": [_sasl_user("ghost@contoso.com")],
    "smtp_auth.disabled.mailbox": [
        _tenant("Mailbox[scanner@contoso.com].SmtpClientAuthenticationDisabled=true")
    ],
}
# The scanner mailbox overrides the tenant switch (enabled): the tenant switch cannot block it.
APP_ONLY_DEFECTS.pop("smtp_auth.disabled.tenant")

KINDS = {"delegated": (delegated, DELEGATED), "app-only": (app_only, APP_ONLY_DEFECTS)}


def expected_reply(check: str) -> Any:
    if check == "smtp_auth.disabled.tenant":
        return catalog.AUTH_DISABLED_TENANT
    if check == "smtp_auth.disabled.mailbox":
        return catalog.AUTH_DISABLED_MAILBOX
    return catalog.AUTH_FAILED


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_valid_base_passes(kind: str) -> None:
    make, _ = KINDS[kind]
    result = make().run()
    assert result.ok, result.note
    assert result.reply is catalog.AUTH_SUCCESS
    assert result.mailbox is not None


def test_every_defect_is_a_known_check() -> None:
    for _, defects in KINDS.values():
        assert set(defects) <= set(CHECKS)


@st.composite
def single_defect(draw: st.DrawFn) -> tuple[str, str, int]:
    kind = draw(st.sampled_from(sorted(KINDS)))
    defects = KINDS[kind][1]
    check = draw(st.sampled_from(sorted(defects)))
    variant = draw(st.integers(0, len(defects[check]) - 1))
    return kind, check, variant


@settings(max_examples=80, deadline=None)
@given(single_defect())
def test_each_single_defect_fails_with_its_named_check(pick: tuple[str, str, int]) -> None:
    kind, check, variant = pick
    make, defects = KINDS[kind]
    case = make()
    defects[check][variant](case)
    result = case.run()
    assert not result.ok
    assert result.check == check, (kind, check, result.note)
    assert result.reply is expected_reply(check)


@st.composite
def defect_mix(draw: st.DrawFn) -> tuple[str, list[tuple[str, int]]]:
    kind = draw(st.sampled_from(sorted(KINDS)))
    defects = KINDS[kind][1]
    names = draw(st.lists(st.sampled_from(sorted(defects)), unique=True, max_size=5))
    return kind, [(n, draw(st.integers(0, len(defects[n]) - 1))) for n in names]


@settings(max_examples=150, deadline=None)
@given(defect_mix())
def test_only_the_defect_free_combination_passes(mix: tuple[str, list[tuple[str, int]]]) -> None:
    kind, chosen = mix
    make, defects = KINDS[kind]
    case = make()
    for name, variant in chosen:
        defects[name][variant](case)
    result = case.run()
    if not chosen:
        assert result.ok, result.note
    else:
        assert not result.ok
        assert result.check in {name for name, _ in chosen}, (chosen, result.check)


@pytest.mark.parametrize("missing", ["exp", "nbf"])
def test_missing_time_claims_are_malformed(missing: str) -> None:
    case = delegated()
    del case.claims[missing]
    assert case.run().check == "token.malformed"


def test_not_a_jwt() -> None:
    result = check_xoauth2(tenant_with(), NOW, KEYS, "alice@contoso.com", "not-a-token")
    assert (result.check, result.reply) == ("token.malformed", catalog.AUTH_FAILED)


def test_clock_skew_tolerance_is_five_minutes() -> None:
    case = delegated()
    case.claims["exp"] = _stamp(NOW - timedelta(seconds=200))
    assert case.run().ok
    case.claims["exp"] = _stamp(NOW - timedelta(seconds=400))
    assert case.run().check == "token.expired"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@given(st.text(max_size=40), st.binary(max_size=40))
def test_parse_sasl_never_raises(text: str, blob: bytes) -> None:
    parse_sasl(text)
    parse_sasl(base64.b64encode(blob).decode())


def test_parse_sasl() -> None:
    parsed = parse_sasl(b64("user=alice@contoso.com\x01auth=Bearer abc.def.ghi\x01\x01"))
    assert parsed is not None
    assert (parsed.user, parsed.token) == ("alice@contoso.com", "abc.def.ghi")
    assert parse_sasl(b64("user=alice@contoso.com\x01auth=Basic abc\x01\x01")) is None
    assert parse_sasl(b64("auth=Bearer abc\x01\x01")) is None
    assert parse_sasl("%%%") is None


def session(
    tenant: Tenant, endpoint: str = "smtp.office365.com", tls: str = "TLSv1.3"
) -> SessionFacts:
    return SessionFacts(
        tenant=tenant,
        endpoint=endpoint,
        port=587,
        client_ip="127.20.0.10",
        public_ip="203.0.113.39",
        now=NOW,
        tls_version=tls,
        helo="MFP",
        esmtp=True,
    )


def test_verdict_seam_success_and_failure() -> None:
    case = delegated()
    response = b64(f"user={case.user}\x01auth=Bearer {case.token()}\x01\x01")
    verdict = check_xoauth2_response(session(tenant_with()), KEYS, response)
    assert verdict.reply is catalog.AUTH_SUCCESS
    assert verdict.rule == "auth_success"
    case.claims["aud"] = "https://graph.microsoft.com"
    response = b64(f"user={case.user}\x01auth=Bearer {case.token()}\x01\x01")
    verdict = check_xoauth2_response(session(tenant_with()), KEYS, response)
    assert verdict.reply is catalog.AUTH_FAILED
    assert verdict.rule == "xoauth2_token"
    assert verdict.reason.startswith("token.audience: ")
    garbage = check_xoauth2_response(session(tenant_with()), KEYS, "%%%")
    assert garbage.reason.startswith("sasl.malformed")


def test_basic_auth_retirement_does_not_apply_but_legacy_tls_opt_in_does() -> None:
    case = delegated()
    response = b64(f"user={case.user}\x01auth=Bearer {case.token()}\x01\x01")
    retired = tenant_with("BasicAuthRetirement.DisabledByDefaultFrom=2020-01-01")
    assert check_xoauth2_response(session(retired), KEYS, response).reply is catalog.AUTH_SUCCESS
    legacy = session(tenant_with(), "smtp-legacy.office365.com", "TLSv1")
    verdict = check_xoauth2_response(legacy, KEYS, response)
    assert verdict.rule == "legacy_tls_requires_opt_in"
    opted = tenant_with("TransportConfig.AllowLegacyTLSClients=true")
    verdict = check_xoauth2_response(
        session(opted, "smtp-legacy.office365.com", "TLSv1"), KEYS, response
    )
    assert verdict.reply is catalog.AUTH_SUCCESS
