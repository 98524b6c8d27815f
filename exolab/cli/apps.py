"""`exolab apps`: the tenant's app registrations, and what each may do for SMTP.

Shows ids, secrets, public/confidential, redirect URIs, delegated scopes with
their admin consent, application permissions, and the Exchange service
principal with the mailboxes it may send as. Reads ``--tenant FILE``; else
the tenant of the lab running in ``--data DIR`` (through its API, so ``--set``
changes show); else the embedded demo tenant.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exolab.cli.common import UsageError, add_data_flag, lab_client
from exolab.labclient import ENDPOINTS_FILE

if TYPE_CHECKING:
    from exolab.emulator.tenant import Tenant

TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"


def describe(tenant: Tenant) -> list[dict[str, Any]]:
    from exolab.emulator.entra.readiness import grant_flows, smtp_readiness

    out: list[dict[str, Any]] = []
    for app in tenant.app:
        sp = tenant.find_service_principal(app.app_id)
        out.append(
            {
                "DisplayName": app.display_name,
                "AppId": app.app_id,
                "Type": "public client" if app.public_client else "confidential client",
                "ClientSecret": app.client_secret,
                "RedirectUris": list(app.redirect_uris),
                "DelegatedPermissions": [
                    {"Scope": g.scope, "AdminConsented": g.admin_consented}
                    for g in app.delegated_permissions
                ],
                "ApplicationPermissions": list(app.application_permissions),
                "ServicePrincipal": None
                if sp is None
                else {"ObjectId": sp.object_id, "MailboxPermissions": list(sp.mailbox_permissions)},
                "Flows": grant_flows(app),
                "Smtp": smtp_readiness(tenant, app),
                "TokenEndpoint": TOKEN_URL.format(tenant=tenant.tenant.tenant_id),
            }
        )
    return out


def _text(apps: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for app in apps:
        lines.append(f"{app['DisplayName']}")
        lines.append(f"  AppId          {app['AppId']}  ({app['Type']})")
        if app["ClientSecret"]:
            lines.append(f"  ClientSecret   {app['ClientSecret']}")
        for uri in app["RedirectUris"]:
            lines.append(f"  RedirectUri    {uri}")
        for grant in app["DelegatedPermissions"]:
            consent = "admin consent granted" if grant["AdminConsented"] else "NO admin consent"
            lines.append(f"  Delegated      {grant['Scope']}  ({consent})")
        for role in app["ApplicationPermissions"]:
            lines.append(f"  Application    {role}")
        sp = app["ServicePrincipal"]
        if sp is not None:
            mailboxes = ", ".join(sp["MailboxPermissions"]) or "none"
            lines.append(f"  ServicePrincipal {sp['ObjectId']}  mailboxes: {mailboxes}")
        elif app["ApplicationPermissions"]:
            lines.append("  ServicePrincipal none (New-ServicePrincipal not run)")
        lines.append(f"  Flows          {', '.join(app['Flows']) or 'none'}")
        lines.append(f"  SMTP           {app['Smtp']}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _tenant(args: argparse.Namespace) -> Tenant:
    from exolab.emulator.tenant import TenantError, load_tenant

    try:
        if args.tenant is None and (args.data / ENDPOINTS_FILE).exists():
            return _running_lab_tenant(args.data)
        return load_tenant(args.tenant)
    except TenantError as exc:
        raise UsageError(str(exc)) from None


def _running_lab_tenant(data: Path) -> Tenant:
    """The tenant as the running lab has it now, from its API (so live --set changes show)."""
    from exolab.emulator.tenant import load_tenant, parse_tenant

    client = lab_client(data)
    if client.api_url is None:
        return load_tenant(None)
    answer = client.get_api("/api/tenant")
    if not answer.ok or not isinstance(answer.body, dict):
        raise UsageError(
            f"the lab at {client.api_url} answered HTTP {answer.status} for its tenant"
        )
    return parse_tenant(answer.body, f"the lab at {client.api_url}")


def _run(args: argparse.Namespace) -> int:
    tenant = _tenant(args)
    apps = describe(tenant)
    if args.json:
        print(json.dumps({"TenantId": tenant.tenant.tenant_id, "App": apps}, indent=2))
    else:
        print(f"Tenant {tenant.tenant.name} ({tenant.tenant.tenant_id}): {len(apps)} app(s)\n")
        print(_text(apps), end="")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "apps",
        help="show the tenant's app registrations (ids, secrets, permissions, consent)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--tenant", type=Path, metavar="FILE", help="a tenant file")
    add_data_flag(parser)
    parser.set_defaults(handler=_run)
