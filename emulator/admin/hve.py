"""The High Volume Email cmdlets an administrator types, mapped to ``HveAccount`` settings.

Microsoft's HVE pages create and manage an HVE account with these
(https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/high-volume-mails-m365,
https://learn.microsoft.com/en-sg/powershell/module/exchangepowershell/add-hveappaccess,
https://learn.microsoft.com/powershell/module/exchangepowershell/set-hveaccountbillingpolicy):

- ``New-MailUser -HVEAccount -Name … -PrimarySmtpAddress … -Password (ConvertTo-SecureString
  -String '…' -AsPlainText -Force)``: a new account (a plain password string is accepted too).
  Like the real one it has no billing policy yet, so it cannot send until one is attached.
- ``Set-MailUser -Identity … [-Password …] [-DisplayName …] [-EmailAddresses …]``.
- ``Add-HVEAppAccess`` / ``Remove-HVEAppAccess -Identity … -AppIds …``: the allowed apps,
  at most 10; the change is stamped with the lab time, and the token check waits
  ``HighVolumeEmail.AppAccessDelaySeconds`` (5 minutes, "up to 5 minutes" at Microsoft).
- ``Set-HVEAccountBillingPolicy -Identity … -BillingPolicyId …`` (``""`` detaches it).

Pure like the rest of ``emulator.admin``: the lab time comes in as an argument.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import datetime

from exolab.emulator.admin.cmdlets import CmdletError, Command, Known, Mapper, Value
from exolab.emulator.tenant import Tenant

TimedMapper = Callable[[Command, Tenant, datetime | None], list[str]]

MAX_ALLOWED_APPS = 10
"""Add-HVEAppAccess: "Each HVE account can have up to ten allowed apps assigned"."""

_SECURE_STRING = re.compile(
    r"""\(\s*ConvertTo-SecureString\s+(?:-String\s+)?("(?:[^"`]|`.)*"|'(?:[^']|'')*'|[^\s()]+)"""
    r"""(?:\s+-AsPlainText(?::\$true)?|\s+-Force(?::\$true)?)*\s*\)""",
    re.IGNORECASE,
)


def unwrap_secure_strings(text: str) -> str:
    """``(ConvertTo-SecureString -String 'p' -AsPlainText -Force)`` becomes ``'p'``.

    The lab keeps passwords as text; what the administrator pasted from Microsoft's page
    and what a trainer types by hand (``-Password 'p'``) set the same thing."""
    return _SECURE_STRING.sub(lambda match: match.group(1), text)


def _text(command: Command, parameter: str) -> str | None:
    value = command.parameters.get(parameter.lower())
    if value is None:
        return None
    if isinstance(value, bool | tuple):
        raise CmdletError(f"{command.name} -{parameter}: expected one value, got {value!r}")
    return str(value)


def _values(command: Command, parameter: str) -> tuple[str, ...]:
    value: Value | None = command.parameters.get(parameter.lower())
    if value is None or isinstance(value, bool):
        raise CmdletError(f"{command.name}: -{parameter} is required")
    items = value if isinstance(value, tuple) else (str(value),)
    return tuple(i.strip() for i in items if i.strip())


def _quoted(value: str) -> str:
    return json.dumps(value)


def _account(tenant: Tenant, command: Command) -> str:
    identity = command.parameters.get("identity")
    if not isinstance(identity, str) or not identity:
        raise CmdletError(f"{command.name}: -Identity is required")
    wanted = identity.lower()
    for account in tenant.hve_account:
        if wanted in account.addresses() or wanted == account.display_name.lower():
            return account.primary_smtp_address
    raise CmdletError(f"no HVE account {identity!r} in the tenant (New-MailUser -HVEAccount)")


def _new_mail_user(command: Command, tenant: Tenant, now: datetime | None) -> list[str]:
    if command.parameters.get("hveaccount") is not True:
        raise CmdletError(
            "New-MailUser: the lab models mail users only as HVE accounts: add -HVEAccount"
        )
    name, address = _text(command, "Name"), _text(command, "PrimarySmtpAddress")
    password = _text(command, "Password")
    if not name or not address or not password:
        raise CmdletError(
            "New-MailUser -HVEAccount: -Name, -PrimarySmtpAddress and -Password are required"
        )
    address = address.lower()
    if "@" not in address or not tenant.is_accepted_domain(address):
        raise CmdletError(f"New-MailUser: {address!r} is not in an accepted domain of the tenant")
    if tenant.find_hve_account(address) or tenant.find_mailbox(address):
        raise CmdletError(f"New-MailUser: {address} is already a recipient of the tenant")
    display = _text(command, "DisplayName") or name
    key = f"HveAccount[{address}]"
    return [f"{key}.DisplayName={_quoted(display)}", f"{key}.Password={_quoted(password)}"]


def _set_mail_user(command: Command, tenant: Tenant, now: datetime | None) -> list[str]:
    key = f"HveAccount[{_account(tenant, command)}]"
    out = []
    for parameter in ("DisplayName", "Password"):
        value = _text(command, parameter)
        if value is not None:
            out.append(f"{key}.{parameter}={_quoted(value)}")
    if "emailaddresses" in command.parameters:
        raw = _values(command, "EmailAddresses")
        if any(v.startswith("@{") for v in raw):
            raise CmdletError(
                "Set-MailUser -EmailAddresses: give the whole list (smtp:a@contoso.com,…); "
                "the lab does not read @{Add=…} tables"
            )
        addresses = tuple(re.sub(r"^smtp:", "", v, flags=re.IGNORECASE).lower() for v in raw)
        out.append(f"{key}.EmailAddresses={_quoted_list(addresses)}")
    return out


def _quoted_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_quoted(v) for v in values) + "]"


def _app_access(adding: bool) -> TimedMapper:
    def mapper(command: Command, tenant: Tenant, now: datetime | None) -> list[str]:
        address = _account(tenant, command)
        account = tenant.find_hve_account(address)
        assert account is not None
        wanted = _values(command, "AppIds")
        for app_id in wanted:
            try:
                uuid.UUID(app_id)
            except ValueError:
                raise CmdletError(
                    f"{command.name} -AppIds: {app_id!r} is not an app id (GUID)"
                ) from None
        lowered = {a.lower() for a in wanted}
        kept = tuple(a for a in account.allowed_app_ids if a.lower() not in lowered)
        apps = (*kept, *wanted) if adding else kept
        if len(apps) > MAX_ALLOWED_APPS:
            raise CmdletError(
                f"{command.name}: {address} would have {len(apps)} allowed apps; "
                f"an HVE account can have at most {MAX_ALLOWED_APPS}"
            )
        key = f"HveAccount[{address}]"
        out = [f"{key}.AllowedAppIds={_quoted_list(apps)}"]
        if now is not None:
            out.append(f"{key}.AppAccessChanged={now.isoformat()}")
        return out

    return mapper


def _billing_policy(command: Command, tenant: Tenant, now: datetime | None) -> list[str]:
    address = _account(tenant, command)
    value = command.parameters.get("billingpolicyid")
    if not isinstance(value, str):
        raise CmdletError(
            'Set-HVEAccountBillingPolicy: -BillingPolicyId <policy GUID> (or "" to remove it)'
        )
    return [f"HveAccount[{address}].BillingPolicyId={_quoted(value.strip())}"]


def cmdlets(now: datetime | None) -> tuple[Known, ...]:
    """The HVE cmdlets, their mappers bound to the lab time ``now`` (None: not known)."""

    def bound(mapper: TimedMapper) -> Mapper:
        return lambda command, tenant: mapper(command, tenant, now)

    table: tuple[tuple[str, tuple[str, ...], TimedMapper], ...] = (
        (
            "New-MailUser",
            ("HVEAccount", "Name", "PrimarySmtpAddress", "Password", "DisplayName"),
            _new_mail_user,
        ),
        ("Set-MailUser", ("Password", "DisplayName", "EmailAddresses"), _set_mail_user),
        ("Add-HVEAppAccess", ("AppIds",), _app_access(True)),
        ("Remove-HVEAppAccess", ("AppIds",), _app_access(False)),
        ("Set-HVEAccountBillingPolicy", ("BillingPolicyId",), _billing_policy),
    )
    return tuple(Known(name, parameters, bound(mapper)) for name, parameters, mapper in table)
