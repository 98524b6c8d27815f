"""The switches the lab models, grouped as the admin centers group them.

Each entry names the tenant key, the group (the admin center that shows it),
the path to it in English and in Japanese (Microsoft's own UI terms:
認証済み SMTP, レガシ TLS クライアント, コネクタ …), and the cmdlet that does
the same. A switch with no place in any admin center (``RejectDirectSend``,
``AllowLegacyTLSClients``) says so: PowerShell is the only way there.

``inverted``: the admin center shows the opposite of the tenant value (the
"Authenticated SMTP" box is ticked when ``SmtpClientAuthenticationDisabled``
is false).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exolab.emulator.tenant import Tenant

POWERSHELL_ONLY = {"en": "PowerShell only", "ja": "PowerShell のみ"}


@dataclass(frozen=True)
class Switch:
    key: str
    """The tenant key (``--set`` syntax); ``{mailbox}`` or ``{name}`` for one entry's switch."""
    group: str
    label: dict[str, str]
    path: dict[str, str]
    cmdlet: str
    """The cmdlet with ``{identity}`` and ``{value}`` (``$true``/``$false``) to fill."""
    inverted: bool = False
    by_value: tuple[str, str] | None = None
    """The cmdlet for a false and for a true value, where the parameter is not a boolean
    (``-DomainType InternalRelay``/``Authoritative``) or the two states take two cmdlets."""

    def cmdlet_for(self, identity: str, value: object) -> str:
        if self.by_value is not None and value is not None:
            return self.by_value[bool(value)].format(identity=identity)
        return self.cmdlet.format(identity=identity, value=ps_bool(value))


GROUPS: dict[str, dict[str, str]] = {
    "users": {
        "en": "Microsoft 365 admin center: users",
        "ja": "Microsoft 365 管理センター: ユーザー",
    },
    "exchange": {"en": "Exchange admin center", "ja": "Exchange 管理センター"},
    "entra": {"en": "Microsoft Entra admin center", "ja": "Microsoft Entra 管理センター"},
    "connectors": {
        "en": "Exchange admin center: connectors",
        "ja": "Exchange 管理センター: コネクタ",
    },
    "defender": {"en": "Microsoft Defender portal", "ja": "Microsoft Defender ポータル"},
}

ORGANIZATION: tuple[Switch, ...] = (
    Switch(
        "TransportConfig.SmtpClientAuthenticationDisabled",
        "exchange",
        {"en": "Authenticated SMTP for the organization", "ja": "組織の認証済み SMTP"},
        {
            "en": "Settings > Mail flow > Turn off SMTP AUTH protocol for your organization",
            "ja": "設定 > メール フロー > 組織の SMTP AUTH プロトコルをオフにする",
        },
        "Set-TransportConfig -SmtpClientAuthenticationDisabled {value}",
        inverted=True,
    ),
    Switch(
        "TransportConfig.AllowLegacyTLSClients",
        "exchange",
        {"en": "Legacy TLS clients (TLS 1.0/1.1)", "ja": "レガシ TLS クライアント (TLS 1.0/1.1)"},
        POWERSHELL_ONLY,
        "Set-TransportConfig -AllowLegacyTLSClients {value}",
    ),
    Switch(
        "OrganizationConfig.RejectDirectSend",
        "exchange",
        {"en": "Reject direct send", "ja": "ダイレクト送信を拒否"},
        POWERSHELL_ONLY,
        "Set-OrganizationConfig -RejectDirectSend {value}",
    ),
    Switch(
        "AuthenticationPolicy.AllowBasicAuthSmtp",
        "exchange",
        {"en": "Basic authentication for SMTP AUTH", "ja": "SMTP AUTH の基本認証"},
        POWERSHELL_ONLY,
        "Set-AuthenticationPolicy -Identity {identity} -AllowBasicAuthSmtp:{value}",
    ),
    Switch(
        "SecurityDefaults.IsEnabled",
        "entra",
        {"en": "Security defaults", "ja": "セキュリティの既定値群"},
        {
            "en": "Identity > Overview > Properties > Manage security defaults",
            "ja": "ID > 概要 > プロパティ > セキュリティの既定値群の管理",
        },
        "Update-MgPolicyIdentitySecurityDefaultEnforcementPolicy -IsEnabled {value}",
    ),
)

DOMAIN = Switch(
    "Tenant.DirectoryBasedEdgeBlocking",
    "exchange",
    {
        "en": "Directory-Based Edge Blocking (authoritative domain)",
        "ja": "ディレクトリ ベースのエッジ ブロック (権限のあるドメイン)",
    },
    {
        "en": "Mail flow > Accepted domains > {identity} > Authoritative",
        "ja": "メール フロー > 承認済みドメイン > {identity} > 権限のあるドメイン",
    },
    "Set-AcceptedDomain -Identity {identity} -DomainType {value}",
    by_value=(
        "Set-AcceptedDomain -Identity {identity} -DomainType InternalRelay",
        "Set-AcceptedDomain -Identity {identity} -DomainType Authoritative",
    ),
)
"""An authoritative domain refuses unknown recipients at RCPT; an internal relay one does not.
The lab keeps one value for the tenant, shown on its primary domain."""

MAILBOX: tuple[Switch, ...] = (
    Switch(
        "Mailbox[{identity}].SmtpClientAuthenticationDisabled",
        "users",
        {"en": "Authenticated SMTP", "ja": "認証済み SMTP"},
        {
            "en": "Users > Active users > Mail > Manage email apps > Authenticated SMTP",
            "ja": "ユーザー > アクティブなユーザー > メール > メールアプリを管理する > 認証済み SMTP",
        },
        "Set-CASMailbox -Identity {identity} -SmtpClientAuthenticationDisabled {value}",
        inverted=True,
    ),
    # Microsoft's outbound spam protection puts a mailbox on the list; the administrator
    # can only take it off (Remove-BlockedSenderAddress) or look (Get-BlockedSenderAddress).
    Switch(
        "Mailbox[{identity}].RestrictedSender",
        "defender",
        {
            "en": "Restricted from sending (Restricted entities)",
            "ja": "送信の制限 (制限付きエンティティ)",
        },
        {
            "en": "Email & collaboration > Review > Restricted entities",
            "ja": "メールとコラボレーション > レビュー > 制限付きエンティティ",
        },
        "Get-BlockedSenderAddress -SenderAddress {identity}",
        by_value=(
            "Remove-BlockedSenderAddress -SenderAddress {identity}",
            "Get-BlockedSenderAddress -SenderAddress {identity}",
        ),
    ),
)

CONNECTOR: tuple[Switch, ...] = (
    Switch(
        "InboundConnector[{identity}].Enabled",
        "connectors",
        {"en": "Connector turned on", "ja": "コネクタを有効にする"},
        {"en": "Mail flow > Connectors", "ja": "メール フロー > コネクタ"},
        "Set-InboundConnector -Identity {identity} -Enabled {value}",
    ),
    Switch(
        "InboundConnector[{identity}].RequireTls",
        "connectors",
        {"en": "Require TLS", "ja": "TLS を必須にする"},
        {"en": "Mail flow > Connectors", "ja": "メール フロー > コネクタ"},
        "Set-InboundConnector -Identity {identity} -RequireTls {value}",
    ),
)


def ps_bool(value: object) -> str:
    """PowerShell's spelling; None is ``$null`` (a mailbox that follows the organization)."""
    if value is None:
        return "$null"
    return "$true" if value else "$false"


def _lookup(document: dict[str, Any], key: str) -> Any:
    """The value of ``Section.Field`` in the tenant's JSON document (aliases)."""
    section, _, name = key.partition(".")
    return (document.get(section) or {}).get(name)


def switch_states(tenant: Tenant, lang: str) -> list[dict[str, Any]]:
    """Every switch as the console shows it: group, label, path, value, the equivalent cmdlet."""
    document = tenant.model_dump(by_alias=True, mode="json")
    out: list[dict[str, Any]] = []

    def add(switch: Switch, identity: str, value: Any, effective: bool) -> None:
        key = switch.key.format(identity=identity)
        shown = (not effective) if switch.inverted else effective
        path = switch.path[lang].format(identity=identity)
        out.append(
            {
                "key": key,
                "group": switch.group,
                "group_label": GROUPS[switch.group][lang],
                "label": switch.label[lang],
                "path": path,
                "identity": identity,
                "value": value,
                "on": shown,
                "inverted": switch.inverted,
                "inherited": value is None and "{identity}" in switch.key,
                "cmdlet": switch.cmdlet_for(identity, value),
                "cmdlet_flip": switch.cmdlet_for(identity, not effective),
            }
        )

    org_disabled = tenant.transport_config.smtp_client_authentication_disabled
    dbeb = tenant.tenant.directory_based_edge_blocking
    for switch in ORGANIZATION:
        if switch.group != DOMAIN.group and not any(s["key"] == DOMAIN.key for s in out):
            add(DOMAIN, tenant.tenant.name, dbeb, dbeb)  # last of its admin center's group
        value = _lookup(document, switch.key)
        add(switch, "Default" if "{identity}" in switch.cmdlet else "", value, bool(value))
    for mailbox in tenant.mailbox:
        own = mailbox.smtp_client_authentication_disabled
        effective = org_disabled if own is None else own
        add(MAILBOX[0], mailbox.primary_smtp_address, own, effective)
    for mailbox in tenant.mailbox:
        restricted = mailbox.restricted_sender
        add(MAILBOX[1], mailbox.primary_smtp_address, restricted, restricted)
    for connector in tenant.inbound_connector:
        add(CONNECTOR[0], connector.name, connector.enabled, connector.enabled)
        add(CONNECTOR[1], connector.name, connector.require_tls, connector.require_tls)
    return out
