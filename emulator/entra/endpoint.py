"""The token service's decisions, sans-IO: form fields in, (HTTP status, JSON body) out.

``TokenEndpoint`` answers ``/{tenant}/oauth2/v2.0/token`` (client_credentials,
password, refresh_token, device_code) and ``/{tenant}/oauth2/v2.0/devicecode``
and approves device codes for a person. The aiohttp shell (``service.py``)
only moves bytes; everything Entra would *say* is decided here, so every flow
is testable without sockets. Time is the lab clock; every id comes from a
seeded ``random.Random``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from exolab.emulator.clock import Clock
from exolab.emulator.entra import errors as E
from exolab.emulator.entra.devicecodes import CodeState, DeviceCode, DeviceCodeStore
from exolab.emulator.entra.keys import SigningKey
from exolab.emulator.entra.refresh import RefreshGrant, RefreshStore
from exolab.emulator.entra.scopes import (
    ScopeProblem,
    ScopeRequest,
    consented_scopes,
    parse_scope,
)
from exolab.emulator.entra.tokens import (
    EXCHANGE_AUDIENCES,
    Subject,
    build_claims,
    sign,
    user_object_id,
)
from exolab.emulator.guards import SmartLockout
from exolab.emulator.tenant.model import App, Mailbox, Tenant

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
MULTI_TENANT_SEGMENTS = frozenset({"common", "organizations"})
VERIFICATION_URI = "https://login.microsoftonline.com/common/oauth2/deviceauth"


@dataclass(frozen=True)
class Answer:
    """What the HTTP shell sends: status and JSON body."""

    status: int
    body: dict[str, Any]


@dataclass(frozen=True)
class Approval:
    """The outcome of a person approving (or failing to approve) a device code."""

    ok: bool
    message: str
    error: E.EntraError | None = None


class _Refused(Exception):
    """Internal: a check failed with this Entra error (turned into an Answer at the edge)."""

    def __init__(self, error: E.EntraError, **params: object) -> None:
        self.error = error
        self.params = params
        super().__init__(error.id)


class TokenEndpoint:
    """The mock Entra ID token endpoint of one lab."""

    def __init__(
        self,
        tenant: Callable[[], Tenant],
        clock: Clock,
        rng: Callable[[str], random.Random],
        key: SigningKey,
        lockout: SmartLockout | None = None,
    ) -> None:
        self._tenant = tenant
        self.clock = clock
        self.key = key
        self.lockout = lockout if lockout is not None else SmartLockout()
        """Smart lockout, shared with SMTP AUTH when the lab passes its own."""
        self._ids = rng("entra.ids")
        self._tokens = rng("entra.tokens")
        self.device_codes = DeviceCodeStore(rng("entra.device_codes"))
        self.refresh_tokens = RefreshStore(rng("entra.refresh_tokens"))

    @property
    def tenant(self) -> Tenant:
        return self._tenant()

    # -- the edge: turn refusals into Entra's JSON ------------------------------

    def _error(self, error: E.EntraError, **params: object) -> Answer:
        return Answer(error.status, error.body(self.clock.now(), self._ids, **params))

    def token(self, segment: str, form: Mapping[str, str]) -> Answer:
        """POST /{segment}/oauth2/v2.0/token."""
        try:
            return Answer(200, self._token(segment, form))
        except _Refused as refused:
            return self._error(refused.error, **refused.params)

    def devicecode(self, segment: str, form: Mapping[str, str]) -> Answer:
        """POST /{segment}/oauth2/v2.0/devicecode."""
        try:
            return Answer(200, self._devicecode(segment, form))
        except _Refused as refused:
            return self._error(refused.error, **refused.params)

    def malformed(self) -> Answer:
        """The answer to a request body that cannot be read as UTF-8 form fields."""
        return self._error(E.MALFORMED_REQUEST)

    def check_tenant(self, segment: str) -> Answer | None:
        """None when ``segment`` names this lab's tenant, else Entra's error answer."""
        try:
            self.resolve_tenant(segment)
        except _Refused as refused:
            return self._error(refused.error, **refused.params)
        return None

    # -- shared checks ---------------------------------------------------------------

    def resolve_tenant(self, segment: str) -> Tenant:
        """The tenant a path segment names: its id, a domain, common or organizations."""
        tenant = self.tenant
        wanted = segment.strip().lower()
        names = {tenant.tenant.tenant_id.lower(), tenant.tenant.name.lower()}
        names |= set(tenant.tenant.accepted_domains)
        if wanted in names or wanted in MULTI_TENANT_SEGMENTS:
            return tenant
        raise _Refused(E.UNKNOWN_TENANT, tenant=segment)

    def _client(self, tenant: Tenant, form: Mapping[str, str], *, public_ok: bool) -> App:
        client_id = form.get("client_id", "").strip()
        if not client_id:
            raise _Refused(E.MISSING_PARAMETER, name="client_id")
        app = tenant.find_app(client_id)
        if app is None:
            raise _Refused(E.UNKNOWN_CLIENT, app_id=client_id, tenant=tenant.tenant.tenant_id)
        secret = form.get("client_secret")
        if secret is not None:
            if app.client_secret is None or secret != app.client_secret:
                raise _Refused(E.INVALID_CLIENT_SECRET, app_id=app.app_id)
            if not app.client_secret_valid_at(self.clock.now()):
                # Entra checks the value first: a wrong secret is "invalid", the right
                # one past its endDateTime is "expired".
                raise _Refused(E.EXPIRED_CLIENT_SECRET, app_id=app.app_id)
            return app
        if public_ok and app.public_client:
            return app
        raise _Refused(E.MISSING_CLIENT_SECRET)

    @staticmethod
    def _require(form: Mapping[str, str], name: str) -> str:
        value = form.get(name, "").strip()
        if not value:
            raise _Refused(E.MISSING_PARAMETER, name=name)
        return value

    def _scope(self, form: Mapping[str, str]) -> ScopeRequest:
        try:
            return parse_scope(self._require(form, "scope"))
        except ScopeProblem as problem:
            if problem.kind == "resources":
                raise _Refused(E.SCOPE_MULTIPLE_RESOURCES) from None
            raise _Refused(E.SCOPE_INVALID, detail=problem.detail) from None

    def _user(self, tenant: Tenant, address: str) -> Mailbox:
        mailbox = tenant.find_mailbox(address)
        if mailbox is None:
            raise _Refused(E.UNKNOWN_USER, user=address, tenant=tenant.tenant.name)
        if mailbox.recipient_type_details == "SharedMailbox":
            raise _Refused(E.USER_DISABLED)
        return mailbox

    def _check_password(self, tenant: Tenant, mailbox: Mailbox, password: str) -> None:
        """Smart lockout first (while locked even the right password is refused), then the password."""
        account = mailbox.primary_smtp_address
        now = self.clock.now()
        if self.lockout.locked_until(account, now) is not None:
            raise _Refused(E.ACCOUNT_LOCKED)
        if mailbox.password is None or password != mailbox.password:
            rules = tenant.password_rule_settings
            self.lockout.failed(
                account, password, now, rules.lockout_threshold, rules.lockout_duration_in_seconds
            )
            raise _Refused(E.BAD_PASSWORD)
        self.lockout.succeeded(account)

    def _consent(self, app: App, request: ScopeRequest) -> tuple[str, ...]:
        if request.resource is None:
            raise _Refused(E.SCOPE_INVALID, detail="No resource scope was requested.")
        names = consented_scopes(app, request)
        if names is None:
            raise _Refused(E.CONSENT_REQUIRED, app_id=app.app_id, app_name=app.display_name)
        return names

    # -- grants ------------------------------------------------------------------------

    def _token(self, segment: str, form: Mapping[str, str]) -> dict[str, Any]:
        tenant = self.resolve_tenant(segment)
        grant_type = self._require(form, "grant_type")
        if grant_type == "client_credentials":
            return self._client_credentials(tenant, segment, form)
        if grant_type == "password":
            return self._password(tenant, form)
        if grant_type == "refresh_token":
            return self._refresh(tenant, form)
        if grant_type in (DEVICE_CODE_GRANT, "device_code"):
            return self._device_code(tenant, form)
        raise _Refused(E.UNSUPPORTED_GRANT, grant_type=grant_type)

    def _client_credentials(
        self, tenant: Tenant, segment: str, form: Mapping[str, str]
    ) -> dict[str, Any]:
        if segment.strip().lower() in MULTI_TENANT_SEGMENTS:
            raise _Refused(E.TENANT_NEEDED, tenant=segment)
        app = self._client(tenant, form, public_ok=False)
        scope = self._require(form, "scope")
        if not scope.endswith("/.default") or len(scope.split()) != 1:
            raise _Refused(E.CLIENT_CREDENTIALS_SCOPE, scope=scope)
        resource = scope[: -len("/.default")].rstrip("/")
        exchange = resource in EXCHANGE_AUDIENCES
        roles = app.application_permissions if exchange else ()
        sp = tenant.find_service_principal(app.app_id)
        subject = Subject(
            "app", sp.object_id if sp else user_object_id(tenant.tenant.tenant_id, app.app_id)
        )
        return self._bearer(tenant, app, resource, subject, roles=roles)

    def _password(self, tenant: Tenant, form: Mapping[str, str]) -> dict[str, Any]:
        app = self._client(tenant, form, public_ok=True)
        request = self._scope(form)
        username = self._require(form, "username")
        password = form.get("password", "")
        mailbox = self._user(tenant, username)
        self._check_password(tenant, mailbox, password)
        if mailbox.mfa_required or tenant.security_defaults.is_enabled:
            raise _Refused(E.MFA_REQUIRED, resource=request.resource or "")
        names = self._consent(app, request)
        return self._user_tokens(tenant, app, mailbox, request, names)

    def _refresh(self, tenant: Tenant, form: Mapping[str, str]) -> dict[str, Any]:
        app = self._client(tenant, form, public_ok=True)
        grant = self.refresh_tokens.find(self._require(form, "refresh_token"))
        if grant is None:
            raise _Refused(E.REFRESH_TOKEN_INVALID)
        if grant.client_id.lower() != app.app_id.lower():
            raise _Refused(E.GRANT_INVALID)
        now = self.clock.now()
        policy = tenant.token_lifetime_policy
        inactive = now - grant.last_used
        too_old = policy.max_age_multi_factor is not None and now - grant.issued > timedelta(
            seconds=policy.max_age_multi_factor
        )
        if inactive > timedelta(seconds=policy.max_inactive_time) or too_old:
            raise _Refused(
                E.REFRESH_TOKEN_INACTIVE,
                issued=grant.issued.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
                inactive=str(inactive),
            )
        grant.last_used = now
        scope_text = form.get("scope") or " ".join(grant.scopes)
        request = self._scope({"scope": scope_text})
        mailbox = self._user(tenant, grant.user)
        names = self._consent(app, request)
        return self._user_tokens(tenant, app, mailbox, request, names, family=grant)

    def _device_code(self, tenant: Tenant, form: Mapping[str, str]) -> dict[str, Any]:
        app = self._client(tenant, form, public_ok=True)
        value = form.get("device_code") or form.get("code") or ""
        if not value:
            raise _Refused(E.MISSING_PARAMETER, name="device_code")
        code = self.device_codes.by_device_code(value)
        if code is None or code.client_id.lower() != app.app_id.lower():
            raise _Refused(E.GRANT_INVALID)
        now = self.clock.now()
        if code.state is CodeState.FAILED and code.failure is not None:
            raise _Refused(code.failure, **code.failure_params)
        if code.state is CodeState.REDEEMED:
            raise _Refused(E.GRANT_INVALID)
        if code.expired(now):
            raise _Refused(E.DEVICE_CODE_EXPIRED)
        if code.state is CodeState.PENDING:
            raise _Refused(E.AUTHORIZATION_PENDING)
        assert code.user is not None
        mailbox = self._user(tenant, code.user)
        request = parse_scope(" ".join(code.scopes))
        names = self._consent(app, request)
        code.state = CodeState.REDEEMED
        return self._user_tokens(tenant, app, mailbox, request, names)

    # -- device code issue and approval -----------------------------------------------

    def _devicecode(self, segment: str, form: Mapping[str, str]) -> dict[str, Any]:
        tenant = self.resolve_tenant(segment)
        app = self._client(tenant, form, public_ok=True)
        if not app.public_client:
            raise _Refused(E.PUBLIC_CLIENT_FLOWS_OFF)
        request = self._scope(form)
        policy = tenant.token_lifetime_policy
        code = self.device_codes.issue(
            app.app_id, request.raw, segment, self.clock.now(), policy.device_code_lifetime
        )
        return {
            "user_code": code.user_code,
            "device_code": code.device_code,
            "verification_uri": VERIFICATION_URI,
            "expires_in": policy.device_code_lifetime,
            "interval": policy.device_code_interval,
            "message": (
                f"To sign in, use a web browser to open the page {VERIFICATION_URI} and enter "
                f"the code {code.user_code} to authenticate."
            ),
        }

    def approve(self, user_code: str, user: str, password: str | None = None) -> Approval:
        """A person signs in on the deviceauth page (or `exolab signin`) for ``user_code``."""
        code = self.device_codes.by_user_code(user_code)
        now = self.clock.now()
        if code is None:
            return Approval(
                False, f"The code {user_code!r} is not valid (no such pending sign-in)."
            )
        if code.state is not CodeState.PENDING:
            return Approval(False, f"The code {code.user_code} was already used ({code.state}).")
        if code.expired(now):
            return Approval(False, f"The code {code.user_code} has expired.", E.DEVICE_CODE_EXPIRED)
        tenant = self.tenant
        try:
            mailbox = self._user(tenant, user)
            if password is not None:
                self._check_password(tenant, mailbox, password)
            app = tenant.find_app(code.client_id)
            if app is None:
                raise _Refused(
                    E.UNKNOWN_CLIENT, app_id=code.client_id, tenant=tenant.tenant.tenant_id
                )
            self._consent(app, parse_scope(" ".join(code.scopes)))
        except _Refused as refused:
            if refused.error is E.CONSENT_REQUIRED:
                code.state = CodeState.FAILED
                code.failure = refused.error
                code.failure_params = {k: str(v) for k, v in refused.params.items()}
                return Approval(
                    False,
                    "Need admin approval: the app needs permission that only an admin can grant "
                    f"(AADSTS{refused.error.code}). The device will be told on its next poll.",
                    refused.error,
                )
            text = (
                refused.error.text.format(**refused.params)
                if refused.params
                else refused.error.text
            )
            return Approval(False, f"AADSTS{refused.error.code}: {text}", refused.error)
        code.state = CodeState.APPROVED
        code.user = mailbox.primary_smtp_address
        return Approval(
            True,
            f"{mailbox.primary_smtp_address} signed in to {app.display_name} on the device. "
            "You can close this window.",
        )

    # -- minting -----------------------------------------------------------------------

    def _user_tokens(
        self,
        tenant: Tenant,
        app: App,
        mailbox: Mailbox,
        request: ScopeRequest,
        names: tuple[str, ...],
        family: RefreshGrant | None = None,
    ) -> dict[str, Any]:
        assert request.resource is not None
        subject = Subject(
            "user",
            user_object_id(tenant.tenant.tenant_id, mailbox.primary_smtp_address),
            upn=mailbox.primary_smtp_address,
            name=mailbox.display_name,
        )
        body = self._bearer(tenant, app, request.resource, subject, scopes=names)
        granted = [f"{request.resource}/{n}" for n in names] + list(request.oidc)
        if request.offline_access:
            granted.append("offline_access")
            refresh = self.refresh_tokens.issue(
                app.app_id,
                mailbox.primary_smtp_address,
                request.raw,
                self.clock.now(),
                family.issued if family else None,
            )
            body["refresh_token"] = refresh.token
        body["scope"] = " ".join(granted)
        return body

    def _bearer(
        self,
        tenant: Tenant,
        app: App,
        audience: str,
        subject: Subject,
        *,
        scopes: tuple[str, ...] = (),
        roles: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        lifetime = tenant.token_lifetime_policy.access_token_lifetime
        claims = build_claims(
            tenant_id=tenant.tenant.tenant_id,
            app_id=app.app_id,
            audience=audience,
            subject=subject,
            now=self.clock.now(),
            lifetime=lifetime,
            rng=self._tokens,
            scopes=scopes,
            roles=roles,
        )
        return {
            "token_type": "Bearer",
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": sign(claims, self.key),
        }

    def pending_codes(self) -> list[DeviceCode]:
        return self.device_codes.pending(self.clock.now())
