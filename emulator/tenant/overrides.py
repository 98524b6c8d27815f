"""``--set Key=Value``: change any tenant setting for one run.

Keys use the tenant file's names with dots between sections and a bracketed
selector for collections: ``TransportConfig.AllowLegacyTLSClients=true``,
``Mailbox[alice@contoso.com].SmtpClientAuthenticationDisabled=false``,
``Dns.TXT[contoso.com]="v=spf1 … ~all"``. A selector that matches no entry
of a collection adds one (``InboundConnector[Branch].SenderIPAddresses=…``).
``Key=$null`` (unquoted, PowerShell's word) removes the setting, so it takes its
default again: ``Mailbox[alice@contoso.com].SmtpClientAuthenticationDisabled=$null``
makes the mailbox follow the organization's switch, as ``Set-CASMailbox … $null``
does. TOML has no null, and a quoted ``"$null"`` stays text.
Overrides edit the raw document; validation then checks the result as a
whole, so an override gets exactly the same errors as the file would.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from typing import Any

from exolab.emulator.tenant.errors import TenantError

SOURCE = "--set"

# The field that names an entry in each collection of tables.
IDENTITY_FIELDS: dict[str, str] = {
    "Mailbox": "PrimarySmtpAddress",
    "Site": "Name",
    "InboundConnector": "Name",
    "ConditionalAccessPolicy": "DisplayName",
    "ExternalDomain": "Name",
    "App": "AppId",
    "ServicePrincipal": "AppId",
    "HveAccount": "PrimarySmtpAddress",
    "CommunicationService": "Name",
    "EmailDomain": "Name",
    "SmtpUsername": "Username",
    "Fault": "Name",
}

_SEGMENT = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9]*)(?:\[(?P<key>[^\]]+)\])?$")


class _Unset:
    """The value of ``Key=$null``: remove the setting (its default applies)."""

    def __repr__(self) -> str:
        return "$null"


UNSET: Any = _Unset()


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split ``Key=Value``; the value is read as a TOML value when it is one, else as text."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise TenantError(
            SOURCE, text, "expected Key=Value, e.g. TransportConfig.AllowLegacyTLSClients=true"
        )
    if raw.strip().lower() == "$null":
        return key, UNSET
    return key, parse_value(raw.strip())


def parse_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def apply_overrides(document: dict[str, Any], assignments: Iterable[tuple[str, Any]]) -> None:
    """Apply each ``(key, value)`` to the raw tenant document in place."""
    for key, value in assignments:
        _apply_one(document, key, value)


def _apply_one(document: dict[str, Any], key: str, value: Any) -> None:
    segments = split_key(key)
    node: Any = document
    for position, segment in enumerate(segments):
        match = _SEGMENT.match(segment)
        if match is None:
            raise TenantError(SOURCE, key, f"'{segment}' is not a setting name (Name or Name[key])")
        name, selector = match["name"], match["key"]
        last = position == len(segments) - 1
        if not isinstance(node, dict):
            raise TenantError(SOURCE, key, f"'{segment}' is inside a value, not a section")
        if selector is None:
            if last:
                if value is UNSET:
                    node.pop(name, None)
                else:
                    node[name] = value
                return
            node = node.setdefault(name, {})
            continue
        node = _select(node, name, selector, key)
        if last:
            if isinstance(node, _Slot):
                node.set(value)
                return
            raise TenantError(
                SOURCE, key, "a whole collection entry cannot be replaced; name a field"
            )
    raise TenantError(SOURCE, key, "empty key")  # pragma: no cover - split never yields none


def split_key(key: str) -> list[str]:
    """Split a dotted key on the dots that are not inside a [selector]."""
    segments, current, depth = [], "", 0
    for char in key:
        if char == "." and depth == 0:
            segments.append(current)
            current = ""
            continue
        depth += {"[": 1, "]": -1}.get(char, 0)
        current += char
    segments.append(current)
    return segments


class _Slot:
    """A dictionary entry chosen by ``Name[key]`` (Dns.TXT[contoso.com]) to be set last."""

    def __init__(self, table: dict[str, Any], key: str) -> None:
        self.table, self.key = table, key

    def set(self, value: Any) -> None:
        if value is UNSET:
            self.table.pop(self.key, None)
        else:
            self.table[self.key] = value


def _select(node: dict[str, Any], name: str, selector: str, key: str) -> Any:
    if name in IDENTITY_FIELDS:
        identity = IDENTITY_FIELDS[name]
        entries = node.setdefault(name, [])
        if not isinstance(entries, list):
            raise TenantError(SOURCE, key, f"{name} must be a list of tables")
        for entry in entries:
            if str(entry.get(identity, "")).lower() == selector.lower():
                return entry
        entry = {identity: selector}
        entries.append(entry)
        return entry
    table = node.setdefault(name, {})
    if not isinstance(table, dict):
        raise TenantError(SOURCE, key, f"{name} is not a table")
    return _Slot(table, selector)
