"""The token endpoint's decisions without sockets: every grant, every error shape."""

from __future__ import annotations

from typing import Any

import jwt

from exolab.emulator.clock import FixedClock
from exolab.emulator.entra import SigningKey, TokenEndpoint
from exolab.emulator.tenant import Tenant, load_default_tenant, parse_assignment
from tests.emulator.entra.conftest import make_endpoint

TID = "9188040d-6c67-4c5b-b112-36a304b66dad"
APP_ONLY = "5f0c2a8e-3a51-4c47-9d0e-1b5a6c7d8e90"
APP_ONLY_SECRET = "lab-secret-Xk7~scan.app"
DEVICE_APP = "a1b2c3d4-0000-4e5f-8a9b-0c1d2e3f4a5b"
PANEL_APP = "c0ffee00-1d2e-4f3a-9b8c-7d6e5f4a3b2c"
NO_CONSENT_APP = "0badc0de-5e4d-4c3b-8a29-1f0e9d8c7b6a"
SMTP_SCOPE = "https://outlook.office.com/SMTP.Send offline_access"


def claims_of(token: str, key: SigningKey) -> dict[str, Any]:
    out: dict[str, Any] = jwt.decode(
        token,
        key.public_key,
        algorithms=["RS256"],
        options={"verify_aud": False, "verify_exp": False},
    )
    return out


def client_credentials(endpoint: TokenEndpoint, **extra: str) -> Any:
    form = {
        "grant_type": "client_credentials",
        "client_id": APP_ONLY,
        "client_secret": APP_ONLY_SECRET,
        "scope": "https://outlook.office365.com/.default",
    } | extra
    return endpoint.token(TID, form)


def ropc(endpoint: TokenEndpoint, **extra: str) -> Any:
    form = {
        "grant_type": "password",
        "client_id": PANEL_APP,
        "scope": SMTP_SCOPE,
        "username": "alice@contoso.com",
        "password": "Alice-Pass-1",
    } | extra
    return endpoint.token("contoso.com", form)


def test_client_credentials_issue_an_app_only_exchange_token(
    endpoint: TokenEndpoint, key: SigningKey, clock: FixedClock
) -> None:
    answer = client_credentials(endpoint)
    assert answer.status == 200, answer.body
    assert answer.body["token_type"] == "Bearer"
    assert answer.body["expires_in"] == 3600
    assert "refresh_token" not in answer.body
    claims = claims_of(answer.body["access_token"], key)
    assert claims["aud"] == "https://outlook.office365.com"
    assert claims["roles"] == ["SMTP.SendAsApp"]
    assert "scp" not in claims
    assert claims["tid"] == TID
    assert claims["appid"] == APP_ONLY
    assert claims["iss"] == f"https://sts.windows.net/{TID}/"
    assert claims["oid"] == "6a1d3c9b-2f4e-4d8a-b7c6-5e4f3a2b1c0d"  # the service principal
    assert claims["iat"] == int(clock.now().timestamp())
    assert claims["exp"] - claims["iat"] == 3600
    assert jwt.get_unverified_header(answer.body["access_token"])["kid"] == key.kid


def test_bad_secret_is_invalid_client_in_entra_format(endpoint: TokenEndpoint) -> None:
    answer = client_credentials(endpoint, client_secret="wrong")
    assert answer.status == 401
    body = answer.body
    assert body["error"] == "invalid_client"
    assert body["error_codes"] == [7000215]
    assert body["error_description"].startswith(
        "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the "
        f"request is the client secret value, not the client secret ID, for a secret added to app '{APP_ONLY}'.\r\nTrace ID: "
    )
    assert f"\r\nCorrelation ID: {body['correlation_id']}\r\n" in body["error_description"]
    assert body["timestamp"] == "2026-05-04 09:30:00Z"
    assert body["error_description"].endswith("Timestamp: 2026-05-04 09:30:00Z")
    assert body["error_uri"] == "https://login.microsoftonline.com/error?code=7000215"


def test_an_expired_secret_is_aadsts7000222_and_a_wrong_one_still_7000215(
    clock: FixedClock, key: SigningKey
) -> None:
    ends = parse_assignment(f"App[{APP_ONLY}].ClientSecretEndDateTime=2026-05-04T09:30:00Z")
    endpoint = make_endpoint(load_default_tenant([ends]), clock, key)
    answer = client_credentials(endpoint)
    assert (answer.status, answer.body["error"], answer.body["error_codes"]) == (
        401,
        "invalid_client",
        [7000222],
    )
    assert answer.body["error_description"].startswith(
        f"AADSTS7000222: The provided client secret keys for app '{APP_ONLY}' are expired. "
    )
    assert client_credentials(endpoint, client_secret="wrong").body["error_codes"] == [7000215]
    clock.advance(-1)  # one second before the end date the secret still works
    assert client_credentials(endpoint).status == 200


def test_error_ids_are_deterministic_per_seed(
    tenant: Tenant, clock: FixedClock, key: SigningKey
) -> None:
    first = client_credentials(make_endpoint(tenant, clock, key), client_secret="x").body
    second = client_credentials(make_endpoint(tenant, clock, key), client_secret="x").body
    assert first == second
    again = client_credentials(make_endpoint(tenant, clock, key), client_secret="x")
    assert again.body["trace_id"] == first["trace_id"]


def test_missing_secret_and_unknown_client(endpoint: TokenEndpoint) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": APP_ONLY,
        "scope": "https://outlook.office365.com/.default",
    }
    answer = endpoint.token(TID, form)
    assert (answer.status, answer.body["error_codes"]) == (401, [7000218])
    answer = client_credentials(endpoint, client_id="11111111-2222-3333-4444-555555555555")
    assert (answer.status, answer.body["error"], answer.body["error_codes"]) == (
        400,
        "unauthorized_client",
        [700016],
    )


def test_client_credentials_need_default_scope_and_a_tenant(endpoint: TokenEndpoint) -> None:
    answer = client_credentials(endpoint, scope="https://outlook.office365.com/SMTP.SendAsApp")
    assert (answer.body["error"], answer.body["error_codes"]) == ("invalid_scope", [1002012])
    form = {
        "grant_type": "client_credentials",
        "client_id": APP_ONLY,
        "client_secret": APP_ONLY_SECRET,
        "scope": "https://outlook.office365.com/.default",
    }
    assert endpoint.token("common", form).body["error_codes"] == [900023]


def test_other_resource_gets_no_exchange_roles(endpoint: TokenEndpoint, key: SigningKey) -> None:
    answer = client_credentials(endpoint, scope="https://graph.microsoft.com/.default")
    claims = claims_of(answer.body["access_token"], key)
    assert claims["aud"] == "https://graph.microsoft.com"
    assert "roles" not in claims


def test_unknown_tenant_and_grant_type(endpoint: TokenEndpoint) -> None:
    answer = endpoint.token("fabrikam.com", {"grant_type": "password"})
    assert (answer.body["error"], answer.body["error_codes"]) == ("invalid_request", [90002])
    assert "Tenant 'fabrikam.com' not found" in answer.body["error_description"]
    answer = endpoint.token(TID, {"grant_type": "authorization_code"})
    assert (answer.body["error"], answer.body["error_codes"]) == ("unsupported_grant_type", [70003])
    answer = endpoint.token(TID, {})
    assert answer.body["error_codes"] == [900144]
    assert "'grant_type'" in answer.body["error_description"]


def test_password_grant_gives_delegated_token_and_refresh_token(
    endpoint: TokenEndpoint, key: SigningKey
) -> None:
    answer = ropc(endpoint)
    assert answer.status == 200, answer.body
    claims = claims_of(answer.body["access_token"], key)
    assert claims["aud"] == "https://outlook.office.com"
    assert claims["scp"] == "SMTP.Send"
    assert claims["upn"] == claims["unique_name"] == "alice@contoso.com"
    assert claims["appid"] == PANEL_APP
    assert answer.body["scope"] == "https://outlook.office.com/SMTP.Send offline_access"
    assert answer.body["refresh_token"]


def test_password_grant_errors(endpoint: TokenEndpoint, clock: FixedClock, key: SigningKey) -> None:
    assert ropc(endpoint, password="nope").body["error_codes"] == [50126]
    assert ropc(endpoint, password="nope").body["error"] == "invalid_grant"
    assert ropc(endpoint, username="nobody@contoso.com").body["error_codes"] == [50034]
    assert ropc(endpoint, username="frontdesk@contoso.com").body["error_codes"] == [50057]
    answer = ropc(endpoint, client_id=NO_CONSENT_APP)
    assert (answer.body["error"], answer.body["error_codes"], answer.body["suberror"]) == (
        "invalid_grant",
        [65001],
        "consent_required",
    )
    assert "named 'Scanner app awaiting admin consent'" in answer.body["error_description"]
    # bare SMTP.Send means Graph: not consented for this app
    assert ropc(endpoint, scope="SMTP.Send").body["error_codes"] == [65001]
    mfa = apply_overrides_tenant("SecurityDefaults.IsEnabled=true")
    assert ropc(make_endpoint(mfa, clock, key)).body["error_codes"] == [50076]


def apply_overrides_tenant(assignment: str) -> Tenant:
    return load_default_tenant([parse_assignment(assignment)])


def test_refresh_token_after_the_access_token_expires(
    endpoint: TokenEndpoint, key: SigningKey, clock: FixedClock
) -> None:
    first = ropc(endpoint).body
    clock.advance(3700)
    answer = endpoint.token(
        TID,
        {
            "grant_type": "refresh_token",
            "client_id": PANEL_APP,
            "refresh_token": first["refresh_token"],
        },
    )
    assert answer.status == 200, answer.body
    claims = claims_of(answer.body["access_token"], key)
    assert claims["iat"] == int(clock.now().timestamp())
    assert claims["scp"] == "SMTP.Send"
    assert answer.body["refresh_token"] != first["refresh_token"]


def test_refresh_token_rules(endpoint: TokenEndpoint, clock: FixedClock) -> None:
    token = ropc(endpoint).body["refresh_token"]
    form = {"grant_type": "refresh_token", "client_id": PANEL_APP, "refresh_token": token}
    assert endpoint.token(TID, form | {"client_id": DEVICE_APP}).body["error_codes"] == [70000]
    assert endpoint.token(TID, form | {"refresh_token": "garbage"}).body["error_codes"] == [9002313]
    clock.advance(91 * 86_400)
    answer = endpoint.token(TID, form)
    assert (answer.body["error"], answer.body["error_codes"]) == ("invalid_grant", [700082])


def test_device_code_flow(endpoint: TokenEndpoint, key: SigningKey, clock: FixedClock) -> None:
    start = endpoint.devicecode("organizations", {"client_id": DEVICE_APP, "scope": SMTP_SCOPE})
    assert start.status == 200, start.body
    body = start.body
    assert body["expires_in"] == 900 and body["interval"] == 5
    assert len(body["user_code"]) == 9
    assert body["message"] == (
        "To sign in, use a web browser to open the page "
        "https://login.microsoftonline.com/common/oauth2/deviceauth and enter the code "
        f"{body['user_code']} to authenticate."
    )
    poll = {
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        "client_id": DEVICE_APP,
        "device_code": body["device_code"],
    }
    pending = endpoint.token("organizations", poll)
    assert (pending.body["error"], pending.body["error_codes"]) == (
        "authorization_pending",
        [70016],
    )
    assert [c.user_code for c in endpoint.pending_codes()] == [body["user_code"]]
    approval = endpoint.approve(body["user_code"].lower(), "bob@contoso.com")
    assert approval.ok, approval.message
    clock.advance(5)
    done = endpoint.token("organizations", poll)
    assert done.status == 200, done.body
    claims = claims_of(done.body["access_token"], key)
    assert (claims["upn"], claims["scp"], claims["aud"]) == (
        "bob@contoso.com",
        "SMTP.Send",
        "https://outlook.office.com",
    )
    assert done.body["refresh_token"]
    assert endpoint.token("organizations", poll).body["error_codes"] == [70000]  # redeemed once


def test_device_code_expires_and_refuses_bad_approvals(
    endpoint: TokenEndpoint, clock: FixedClock
) -> None:
    body = endpoint.devicecode(TID, {"client_id": DEVICE_APP, "scope": SMTP_SCOPE}).body
    assert not endpoint.approve("ZZZZZZZZZ", "alice@contoso.com").ok
    assert not endpoint.approve(body["user_code"], "nobody@contoso.com").ok
    refused = endpoint.approve(body["user_code"], "alice@contoso.com", password="wrong")
    assert not refused.ok and "AADSTS50126" in refused.message
    clock.advance(901)
    poll = {
        "grant_type": "device_code",
        "client_id": DEVICE_APP,
        "device_code": body["device_code"],
    }
    answer = endpoint.token(TID, poll)
    assert (answer.body["error"], answer.body["error_codes"]) == ("expired_token", [70020])
    assert not endpoint.approve(body["user_code"], "alice@contoso.com").ok


def test_device_code_without_admin_consent_tells_the_device(endpoint: TokenEndpoint) -> None:
    body = endpoint.devicecode(TID, {"client_id": NO_CONSENT_APP, "scope": SMTP_SCOPE}).body
    approval = endpoint.approve(body["user_code"], "alice@contoso.com")
    assert not approval.ok and "Need admin approval" in approval.message
    poll = {
        "grant_type": "device_code",
        "client_id": NO_CONSENT_APP,
        "device_code": body["device_code"],
    }
    answer = endpoint.token(TID, poll)
    assert (answer.body["error"], answer.body["error_codes"]) == ("invalid_grant", [65001])


def test_device_code_needs_a_public_client(endpoint: TokenEndpoint) -> None:
    answer = endpoint.devicecode(TID, {"client_id": APP_ONLY, "scope": SMTP_SCOPE})
    assert (answer.status, answer.body["error"]) == (401, "invalid_client")


def test_multiple_resources_in_one_scope(endpoint: TokenEndpoint) -> None:
    scope = "https://outlook.office.com/SMTP.Send https://graph.microsoft.com/Mail.Send"
    assert ropc(endpoint, scope=scope).body["error_codes"] == [28000]


def test_lifetime_is_tenant_data(clock: FixedClock, key: SigningKey) -> None:
    tenant = apply_overrides_tenant("TokenLifetimePolicy.AccessTokenLifetime=600")
    answer = client_credentials(make_endpoint(tenant, clock, key))
    assert answer.body["expires_in"] == 600
