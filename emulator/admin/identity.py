"""Entra and Exchange identity objects a device's sign-in meets: service principals, CA policies.

- ``New-ServicePrincipal -AppId … -ObjectId … [-DisplayName …]``: registers an Entra app's
  service principal in Exchange so app-only SMTP can be given mailboxes
  (https://learn.microsoft.com/powershell/module/exchangepowershell/new-serviceprincipal);
  ``Add-MailboxPermission -User <its id> -AccessRights FullAccess`` then grants one
  (``emulator.admin.cmdlets``).
- ``Update-MgIdentityConditionalAccessPolicy -ConditionalAccessPolicyId … -State …``: turns a
  Conditional Access policy on, off or report-only
  (https://learn.microsoft.com/powershell/module/microsoft.graph.identity.signins/update-mgidentityconditionalaccesspolicy).
  The lab names its policies by display name and has no ids: the id given is matched against
  the display name. The policy's conditions are a Graph body (a hashtable), which the lab
  does not read: they are set in the tenant file.
"""

from __future__ import annotations

import uuid

from exolab.emulator.admin.cmdlets import CmdletError, Command, Known, toml_value
from exolab.emulator.tenant import Tenant

CA_STATES = ("enabled", "disabled", "enabledForReportingButNotEnforced")


def _guid(command: Command, parameter: str) -> str:
    value = command.parameters.get(parameter.lower())
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise CmdletError(f"{command.name}: -{parameter} must be a GUID, got {value!r}") from None


def _new_service_principal(command: Command, tenant: Tenant) -> list[str]:
    app_id, object_id = _guid(command, "AppId"), _guid(command, "ObjectId")
    if tenant.find_service_principal(app_id) is not None:
        raise CmdletError(f"{command.name}: a service principal for app {app_id} already exists")
    return [f"ServicePrincipal[{app_id}].ObjectId={toml_value(object_id)}"]


def _ca_policy(command: Command, tenant: Tenant) -> list[str]:
    wanted = command.parameters.get("conditionalaccesspolicyid")
    policy = next(
        (
            p
            for p in tenant.conditional_access_policy
            if isinstance(wanted, str) and p.display_name.lower() == wanted.lower()
        ),
        None,
    )
    if policy is None:
        raise CmdletError(
            f"{command.name}: -ConditionalAccessPolicyId names no Conditional Access policy "
            "(the lab matches it against the display name)"
        )
    state = {s.lower(): s for s in CA_STATES}.get(str(command.parameters.get("state", "")).lower())
    if state is None:
        raise CmdletError(f"{command.name} -State: expected one of {', '.join(CA_STATES)}")
    return [f"ConditionalAccessPolicy[{policy.display_name}].State={toml_value(state)}"]


CMDLETS: tuple[Known, ...] = (
    # -DisplayName names the principal in Exchange only; the lab lists it by AppId.
    Known("New-ServicePrincipal", ("AppId", "ObjectId", "DisplayName"), _new_service_principal),
    Known(
        "Update-MgIdentityConditionalAccessPolicy",
        ("ConditionalAccessPolicyId", "State"),
        _ca_policy,
    ),
)
