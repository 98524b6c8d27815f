"""Entra ID's error responses: one catalog of the AADSTS errors the lab token service gives.

These are HTTP/JSON answers of login.microsoftonline.com, not SMTP replies, so
they live here rather than in ``emulator/replies/catalog.py``; the same rules
apply: every text is written once, with its source and certainty. The body
format (``error``, ``error_description`` ending in Trace ID / Correlation ID /
Timestamp lines, ``error_codes``, ``timestamp``, ``trace_id``,
``correlation_id``, ``error_uri``) is CONFIRMED from real responses quoted in
https://github.com/OfficeDev/microsoft-365-agents-toolkit/issues/8621 and
https://github.com/MicrosoftDocs/azure-docs/issues/39189.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from exolab.emulator.replies.model import Certainty

C, L, X = Certainty.CONFIRMED, Certainty.LIKELY, Certainty.CHOSEN
AADSTS_DOC = "https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes"


@dataclass(frozen=True, slots=True)
class EntraError:
    """One Entra error: OAuth ``error``, AADSTS number, description template, HTTP status."""

    id: str
    error: str
    code: int
    text: str
    status: int
    source: str
    certainty: Certainty
    suberror: str | None = None

    def body(self, when: datetime, rng: random.Random, **params: object) -> dict[str, Any]:
        """The JSON body Entra returns, ids drawn from the lab's seeded ``rng``."""
        trace = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        correlation = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        stamp = when.strftime("%Y-%m-%d %H:%M:%SZ")
        text = self.text.format(**params) if params else self.text
        description = (
            f"AADSTS{self.code}: {text}\r\nTrace ID: {trace}\r\n"
            f"Correlation ID: {correlation}\r\nTimestamp: {stamp}"
        )
        body: dict[str, Any] = {
            "error": self.error,
            "error_description": description,
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": f"https://login.microsoftonline.com/error?code={self.code}",
        }
        if self.suberror:
            body["suberror"] = self.suberror
        return body


INVALID_CLIENT_SECRET = EntraError(
    "client.bad_secret",
    "invalid_client",
    7000215,
    "Invalid client secret provided. Ensure the secret being sent in the request is the client "
    "secret value, not the client secret ID, for a secret added to app '{app_id}'.",
    401,
    "https://github.com/OfficeDev/microsoft-365-agents-toolkit/issues/8621",
    C,
)
# Entra's own text, quoted with the app id in real responses (2023, 2025); the HTTP
# status of an invalid_client answer to a client secret is 401 as for AADSTS7000215.
EXPIRED_CLIENT_SECRET = EntraError(
    "client.secret_expired",
    "invalid_client",
    7000222,
    "The provided client secret keys for app '{app_id}' are expired. Visit the Azure portal to "
    "create new keys for your app: https://aka.ms/NewClientSecret, or consider using "
    "certificate credentials for added security: https://aka.ms/certCreds.",
    401,
    "https://github.com/dotnet/sign/issues/849 ; "
    "https://github.com/spencerwooo/onedrive-vercel-index/issues/1051",
    C,
)
MISSING_CLIENT_SECRET = EntraError(
    "client.no_secret",
    "invalid_client",
    7000218,
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    401,
    AADSTS_DOC,
    L,
)
UNKNOWN_CLIENT = EntraError(
    "client.unknown",
    "unauthorized_client",
    700016,
    "Application with identifier '{app_id}' was not found in the directory '{tenant}'. This can "
    "happen if the application has not been installed by the administrator of the tenant or "
    "consented to by any user in the tenant. You may have sent your authentication request to "
    "the wrong tenant.",
    400,
    AADSTS_DOC,
    L,
)
MISSING_PARAMETER = EntraError(
    "request.missing",
    "invalid_request",
    900144,
    "The request body must contain the following parameter: '{name}'.",
    400,
    AADSTS_DOC,
    L,
)
UNSUPPORTED_GRANT = EntraError(
    "request.grant_type",
    "unsupported_grant_type",
    70003,
    "The app requested an unsupported grant type '{grant_type}'.",
    400,
    AADSTS_DOC,
    L,
)
UNKNOWN_TENANT = EntraError(
    "tenant.unknown",
    "invalid_request",
    90002,
    "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are "
    "signing into the correct cloud.",
    400,
    AADSTS_DOC,
    L,
)
TENANT_NEEDED = EntraError(
    "tenant.needed",
    "invalid_request",
    900023,
    "Specified tenant identifier '{tenant}' is neither a valid DNS name, nor a valid external "
    "domain.",
    400,
    AADSTS_DOC,
    X,
)
CLIENT_CREDENTIALS_SCOPE = EntraError(
    "scope.default_required",
    "invalid_scope",
    1002012,
    "The provided value for scope {scope} is not valid. Client credential flows must have a "
    "scope value with /.default suffixed to the resource identifier (application ID URI).",
    400,
    AADSTS_DOC,
    L,
)
BAD_PASSWORD = EntraError(
    "user.bad_password",
    "invalid_grant",
    50126,
    "Error validating credentials due to invalid username or password.",
    400,
    "https://github.com/MicrosoftDocs/azure-docs/issues/55028",
    C,
)
ACCOUNT_LOCKED = EntraError(
    "user.locked",
    "invalid_grant",
    50053,
    "The account is locked, you've tried to sign in too many times with an incorrect user ID or "
    "password.",
    400,
    "https://github.com/AzureAD/microsoft-authentication-library-for-python/issues/211 ; "
    "https://learn.microsoft.com/en-us/entra/identity/authentication/howto-password-smart-lockout",
    L,
)
"""Smart lockout (``PasswordRuleSettings``). Text CONFIRMED in a real response at the first
source; invalid_grant and 400 LIKELY, as for the wrong password (50126) it follows."""
UNKNOWN_USER = EntraError(
    "user.unknown",
    "invalid_grant",
    50034,
    "The user account {user} does not exist in the {tenant} directory. To sign into this "
    "application, the account must be added to the directory.",
    400,
    AADSTS_DOC,
    L,
)
USER_DISABLED = EntraError(
    "user.disabled",
    "invalid_grant",
    50057,
    "The user account is disabled.",
    400,
    AADSTS_DOC,
    L,
)
MFA_REQUIRED = EntraError(
    "user.mfa_required",
    "invalid_grant",
    50076,
    "Due to a configuration change made by your administrator, or because you moved to a new "
    "location, you must use multi-factor authentication to access '{resource}'.",
    400,
    AADSTS_DOC,
    L,
    suberror="basic_action",
)
CONSENT_REQUIRED = EntraError(
    "consent.required",
    "invalid_grant",
    65001,
    "The user or administrator has not consented to use the application with ID '{app_id}' "
    "named '{app_name}'. Send an interactive authorization request for this user and resource.",
    400,
    "https://github.com/MicrosoftDocs/azure-docs/issues/39189",
    C,
    suberror="consent_required",
)
AUTHORIZATION_PENDING = EntraError(
    "device.pending",
    "authorization_pending",
    70016,
    "The provided request has not yet been authorized by the user. The user must input their code.",
    400,
    "https://learn.microsoft.com/en-us/answers/questions/981553/oauth-2-0-device-authorization-grant-flow-the-expi",
    C,
)
DEVICE_CODE_EXPIRED = EntraError(
    "device.expired",
    "expired_token",
    70020,
    "The provided value for the input parameter 'device_code' is not valid. This device code has "
    "expired.",
    400,
    "https://github.com/Azure/azure-cli/issues/22251",
    C,
)
GRANT_INVALID = EntraError(
    "grant.invalid",
    "invalid_grant",
    70000,
    "Provided grant is invalid or malformed.",
    400,
    AADSTS_DOC,
    X,
)
AUTHORIZATION_DECLINED = EntraError(
    "device.declined",
    "authorization_declined",
    70019,
    "The user declined the authorization request.",
    400,
    "RFC 8628 section 3.5",
    X,
)
REFRESH_TOKEN_INACTIVE = EntraError(
    "refresh.inactive",
    "invalid_grant",
    700082,
    "The refresh token has expired due to inactivity. The token was issued on {issued} and was "
    "inactive for {inactive}.",
    400,
    AADSTS_DOC,
    L,
)
REFRESH_TOKEN_INVALID = EntraError(
    "refresh.invalid",
    "invalid_grant",
    9002313,
    "Invalid request. Request is malformed or invalid.",
    400,
    AADSTS_DOC,
    L,
)
SCOPE_INVALID = EntraError(
    "scope.invalid",
    "invalid_scope",
    70011,
    "The provided value for the input parameter 'scope' is not valid. {detail}",
    400,
    AADSTS_DOC,
    L,
)
SCOPE_MULTIPLE_RESOURCES = EntraError(
    "scope.resources",
    "invalid_request",
    28000,
    "Provide value for the input parameter scope because it contains more than one resource.",
    400,
    AADSTS_DOC,
    L,
)
PUBLIC_CLIENT_FLOWS_OFF = EntraError(
    "client.not_public",
    "invalid_client",
    7000218,
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    401,
    "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code",
    L,
)
# The text is Entra's own (quoted in a real response at the source); which code Entra
# gives a body it cannot decode (invalid UTF-8, a broken multipart boundary) is not
# published, so the choice of this code and of invalid_request is ours.
MALFORMED_REQUEST = EntraError(
    "request.malformed",
    "invalid_request",
    9002313,
    "Invalid request. Request is malformed or invalid.",
    400,
    "https://learn.microsoft.com/en-us/answers/questions/1291600/request-access-token-times-wrong",
    X,
)


def all_errors() -> tuple[EntraError, ...]:
    """Every entry, in file order."""
    return tuple(v for v in globals().values() if isinstance(v, EntraError))
