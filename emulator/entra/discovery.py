"""The OpenID Provider configuration document and JWKS, per tenant segment.

Shape follows ``https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration``
(https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc); for
``common`` / ``organizations`` the issuer keeps Entra's ``{tenantid}`` placeholder.
Endpoint URLs name the real host: a client reaches the lab through the lab DNS.
"""

from __future__ import annotations

from typing import Any

from exolab.emulator.entra.keys import SigningKey
from exolab.emulator.entra.tokens import v2_issuer

HOST = "login.microsoftonline.com"
BASE = f"https://{HOST}"


def openid_configuration(segment: str, tenant_id: str, multi_tenant: bool) -> dict[str, Any]:
    issuer = v2_issuer("{tenantid}" if multi_tenant else tenant_id)
    return {
        "token_endpoint": f"{BASE}/{segment}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic",
        ],
        "jwks_uri": f"{BASE}/{segment}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "authorization_endpoint": f"{BASE}/{segment}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{BASE}/{segment}/oauth2/v2.0/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{BASE}/{segment}/oauth2/v2.0/logout",
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce",
            "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email",
        ],
        "tenant_region_scope": "WW",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
    }  # fmt: skip


def jwks(keys: list[SigningKey], tenant_id: str) -> dict[str, Any]:
    return {"keys": [k.jwk(issuer=v2_issuer(tenant_id)) for k in keys]}
