"""The tenant-wide filters an administrator sets: connection filter, spam filter, accepted domain.

- ``Set-HostedConnectionFilterPolicy -Identity Default -IPBlockList …``: the tenant's own IP
  block list (https://learn.microsoft.com/powershell/module/exchangepowershell/set-hostedconnectionfilterpolicy).
  Exchange Online has one connection filter policy, ``Default``; the list is given whole or
  changed with ``@{Add=…}`` / ``@{Remove=…}``, the form the lab's own fix advice quotes.
  ``-IPAllowList`` is not modelled: the lab's MX has no allow list to skip.
- ``Set-HostedContentFilterPolicy -HighConfidenceSpamAction MoveToJmf|Quarantine``: where high
  confidence spam goes (https://learn.microsoft.com/powershell/module/exchangepowershell/set-hostedcontentfilterpolicy).
- ``Set-AcceptedDomain -Identity contoso.com -DomainType Authoritative|InternalRelay``:
  Directory-Based Edge Blocking is on for an authoritative domain and off for an internal
  relay one (https://learn.microsoft.com/powershell/module/exchangepowershell/set-accepteddomain).
  The lab keeps DBEB for the whole tenant, so the domain named must be accepted and the
  switch applies to all of them.
"""

from __future__ import annotations

import ipaddress
import re

from exolab.emulator.admin.cmdlets import CmdletError, Command, Known, toml_value
from exolab.emulator.tenant import Tenant

SPAM_ACTIONS = {"movetojmf": "Junk", "quarantine": "Quarantine"}
"""The ``-HighConfidenceSpamAction`` values the lab's folders can honour."""
DOMAIN_TYPES = {"authoritative": True, "internalrelay": False}


def _default_policy(command: Command) -> None:
    identity = command.parameters.get("identity", "Default")
    if not isinstance(identity, str) or identity.lower() != "default":
        raise CmdletError(f"{command.name}: Exchange Online has one policy, -Identity Default")


def _connection_filter(command: Command, tenant: Tenant) -> list[str]:
    _default_policy(command)
    value = command.parameters["ipblocklist"]
    if isinstance(value, int):
        raise CmdletError(f"{command.name} -IPBlockList: expected IP addresses or ranges")
    items = tuple(i.strip() for i in (value if isinstance(value, tuple) else (value,)) if i.strip())
    if any(i.startswith("@{") for i in items):
        items = _table_change(command, ",".join(items), tenant.blocklist.ip_block_list)
    if tuple(i.lower() for i in items) == ("$null",):
        return ["Blocklist.IPBlockList=[]"]
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise CmdletError(
                f"{command.name} -IPBlockList: {item!r} is not an IP or range"
            ) from None
    return [f"Blocklist.IPBlockList={toml_value(items)}"]


_TABLE = re.compile(r"@\{\s*(?P<verb>Add|Remove)\s*=\s*(?P<values>[^{}]*?)\s*\}", re.IGNORECASE)


def _table_change(command: Command, text: str, current: tuple[str, ...]) -> tuple[str, ...]:
    """``@{Add="192.0.2.1"}`` / ``@{Remove="192.0.2.1"}``, the form Microsoft's pages use
    for a multi-valued property: the current list with those entries added or taken away."""
    match = _TABLE.fullmatch(text)
    if match is None:
        raise CmdletError(
            f"{command.name} -IPBlockList: expected the whole list (192.0.2.1,198.51.100.0/24), "
            '@{Add="192.0.2.1"} or @{Remove="192.0.2.1"}'
        )
    named = tuple(v.strip().strip("\"'") for v in match["values"].split(",") if v.strip())
    if match["verb"].lower() == "remove":
        return tuple(c for c in current if c not in named)
    return (*current, *(n for n in named if n not in current))


def _content_filter(command: Command, tenant: Tenant) -> list[str]:
    value = str(command.parameters["highconfidencespamaction"])
    folder = SPAM_ACTIONS.get(value.lower())
    if folder is None:
        raise CmdletError(
            f"{command.name} -HighConfidenceSpamAction: the lab models MoveToJmf and Quarantine"
        )
    return [f"SpamFilter.HighConfidenceAction={toml_value(folder)}"]


def _accepted_domain(command: Command, tenant: Tenant) -> list[str]:
    identity = command.parameters.get("identity")
    if not isinstance(identity, str) or not tenant.is_accepted_domain(identity):
        raise CmdletError(f"{command.name}: -Identity must be an accepted domain of the tenant")
    kind = DOMAIN_TYPES.get(str(command.parameters["domaintype"]).lower())
    if kind is None:
        raise CmdletError(
            f"{command.name} -DomainType: the lab models Authoritative and InternalRelay"
        )
    return [f"Tenant.DirectoryBasedEdgeBlocking={toml_value(kind)}"]


CMDLETS: tuple[Known, ...] = (
    Known("Set-HostedConnectionFilterPolicy", ("IPBlockList",), _connection_filter),
    Known("Set-HostedContentFilterPolicy", ("HighConfidenceSpamAction",), _content_filter),
    Known("Set-AcceptedDomain", ("DomainType",), _accepted_domain),
)
