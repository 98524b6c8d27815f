"""What each demo app may do for SMTP, as the token service judges it (what `exolab apps` shows)."""

from __future__ import annotations

from exolab.emulator.entra.readiness import (
    APP_ONLY,
    APP_ONLY_NOT_READY,
    DELEGATED,
    DELEGATED_NOT_READY,
    grant_flows,
    smtp_readiness,
)
from exolab.emulator.tenant import load_default_tenant

APP_ONLY_APP = "5f0c2a8e-3a51-4c47-9d0e-1b5a6c7d8e90"
UNCONSENTED_APP = "0badc0de-5e4d-4c3b-8a29-1f0e9d8c7b6a"
NO_PRINCIPAL_APP = "7e57ab1e-0a1b-4c2d-8e3f-4a5b6c7d8e9f"


def test_each_demo_app_is_ready_or_says_what_is_missing() -> None:
    tenant = load_default_tenant()
    apps = {app.app_id: app for app in tenant.app}
    assert smtp_readiness(tenant, apps[APP_ONLY_APP]) == APP_ONLY
    assert smtp_readiness(tenant, apps[UNCONSENTED_APP]) == DELEGATED_NOT_READY
    assert smtp_readiness(tenant, apps[NO_PRINCIPAL_APP]) == APP_ONLY_NOT_READY
    assert grant_flows(apps[APP_ONLY_APP]) == ["client_credentials"]


def test_admin_consent_makes_the_delegated_app_ready() -> None:
    tenant = load_default_tenant()
    [app] = [a for a in tenant.app if a.app_id == UNCONSENTED_APP]
    grants = tuple(
        g.model_copy(update={"admin_consented": True}) for g in app.delegated_permissions
    )
    consented = app.model_copy(update={"delegated_permissions": grants})
    assert smtp_readiness(tenant, consented) == DELEGATED
    assert "device_code" in grant_flows(consented)
