"""``Set-Mailbox`` and ``Remove-BlockedSenderAddress``: one mailbox's limits and standing.

- ``Set-Mailbox -Identity … -ProhibitSendQuota / -ProhibitSendReceiveQuota / -MaxSendSize /
  -MaxReceiveSize / -DisplayName / -EmailAddresses / -Type Shared|Regular``
  (https://learn.microsoft.com/powershell/module/exchangepowershell/set-mailbox).
  Sizes are read as Exchange writes them: bytes (``36700160``), a unit (``35MB``, ``1.5GB``;
  binary units as Exchange counts them) or the form ``Get-Mailbox`` prints
  (``35 MB (36,700,160 bytes)``: the byte count wins). ``Unlimited`` is refused: a mailbox in
  Exchange Online always has its licence's limit.
- ``Remove-BlockedSenderAddress -SenderAddress …``: takes a mailbox off the Restricted
  entities list (https://learn.microsoft.com/powershell/module/exchangepowershell/remove-blockedsenderaddress);
  ``-Reason`` is accepted and kept nowhere, as the lab keeps no audit log. Putting a mailbox
  on the list has no cmdlet: Microsoft's outbound spam protection does it.
"""

from __future__ import annotations

import re

from exolab.emulator.admin.cmdlets import (
    CmdletError,
    Command,
    Known,
    identity_of,
    mailbox_of,
    toml_value,
)
from exolab.emulator.tenant import Tenant

SIZE_PARAMETERS = ("ProhibitSendQuota", "ProhibitSendReceiveQuota", "MaxSendSize", "MaxReceiveSize")
UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4}
_SIZE = re.compile(
    r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>b|kb|mb|gb|tb)?(?:\s*\((?P<bytes>[\d,]+) bytes\))?",
    re.IGNORECASE,
)
TYPES = {"shared": "SharedMailbox", "regular": "UserMailbox"}
"""``-Type`` converts a mailbox; the lab models the two kinds a device meets."""


def size_in_bytes(command: Command, parameter: str) -> int:
    """A ByteQuantifiedSize value as bytes."""
    value = command.parameters[parameter.lower()]
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _SIZE.fullmatch(str(value).strip()) if isinstance(value, str) else None
    if match is None:
        raise CmdletError(
            f"{command.name} -{parameter}: expected a size like 36700160, 35MB or 1.5GB, "
            f"got {value!r}"
        )
    if match["bytes"]:
        return int(match["bytes"].replace(",", ""))
    return int(float(match["number"]) * UNITS[(match["unit"] or "b").lower()])


def _set_mailbox(command: Command, tenant: Tenant) -> list[str]:
    key = f"Mailbox[{mailbox_of(tenant, identity_of(command))}]"
    out = [
        f"{key}.{p}={size_in_bytes(command, p)}"
        for p in SIZE_PARAMETERS
        if p.lower() in command.parameters
    ]
    if "displayname" in command.parameters:
        out.append(f"{key}.DisplayName={toml_value(str(command.parameters['displayname']))}")
    if "type" in command.parameters:
        kind = TYPES.get(str(command.parameters["type"]).lower())
        if kind is None:
            raise CmdletError(f"{command.name} -Type: the lab models Shared and Regular")
        out.append(f"{key}.RecipientTypeDetails={toml_value(kind)}")
    if "emailaddresses" in command.parameters:
        value = command.parameters["emailaddresses"]
        if isinstance(value, int):
            raise CmdletError(f"{command.name} -EmailAddresses: expected addresses")
        items = value if isinstance(value, tuple) else (value,)
        if any(i.startswith("@{") for i in items):
            raise CmdletError(
                f"{command.name} -EmailAddresses: give the whole list (smtp:a@contoso.com,…); "
                "the lab does not read @{Add=…} tables"
            )
        primary = str(key[len("Mailbox[") : -1])
        addresses = tuple(
            a
            for a in (re.sub(r"^smtp:", "", i.strip(), flags=re.IGNORECASE).lower() for i in items)
            if a and a != primary
        )
        out.append(f"{key}.EmailAddresses={toml_value(addresses)}")
    return out


def _remove_blocked_sender(command: Command, tenant: Tenant) -> list[str]:
    value = command.parameters.get("senderaddress")
    if not isinstance(value, str) or not value:
        raise CmdletError(f"{command.name}: -SenderAddress is required")
    return [f"Mailbox[{mailbox_of(tenant, value)}].RestrictedSender=false"]


CMDLETS: tuple[Known, ...] = (
    Known(
        "Set-Mailbox",
        (*SIZE_PARAMETERS, "DisplayName", "EmailAddresses", "Type"),
        _set_mailbox,
    ),
    Known("Remove-BlockedSenderAddress", ("SenderAddress", "Reason"), _remove_blocked_sender),
)
