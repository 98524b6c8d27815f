"""What an app registration may do for SMTP, as the token service and Exchange will judge it.

The same facts decide whether a token is issued and whether Exchange accepts
it (``emulator.policy.xoauth2``): app-only sending needs ``SMTP.SendAsApp``
plus a service principal with a mailbox permission (New-ServicePrincipal,
Add-MailboxPermission); delegated sending needs ``SMTP.Send`` with admin
consent. Kept here, beside the token endpoint, so a tool that shows an app
(``exolab apps``) states the rule instead of restating it.
Source: https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth
"""

from __future__ import annotations

from exolab.emulator.entra.tokens import SMTP_SEND, SMTP_SEND_AS_APP
from exolab.emulator.tenant import Tenant
from exolab.emulator.tenant.model import App

APP_ONLY = "app-only"
APP_ONLY_NOT_READY = "app-only: NOT READY (no service principal / mailbox permission)"
DELEGATED = "delegated"
DELEGATED_NOT_READY = "delegated: NOT READY (no admin consent)"
NONE = "none"


def grant_flows(app: App) -> list[str]:
    """The OAuth grants the token service accepts from ``app``."""
    flows: list[str] = []
    if app.client_secret:
        flows.append("client_credentials")
    if app.public_client:
        flows += ["device_code", "password", "refresh_token"]
    return flows


def smtp_readiness(tenant: Tenant, app: App) -> str:
    """How ``app`` can send over SMTP now: app-only, delegated, NOT READY (and why), or none."""
    if SMTP_SEND_AS_APP in app.application_permissions:
        sp = tenant.find_service_principal(app.app_id)
        return APP_ONLY if sp and sp.mailbox_permissions else APP_ONLY_NOT_READY
    smtp_send = [
        g for g in app.delegated_permissions if g.scope.lower().endswith("/" + SMTP_SEND.lower())
    ]
    if smtp_send:
        return DELEGATED if all(g.admin_consented for g in smtp_send) else DELEGATED_NOT_READY
    return NONE
