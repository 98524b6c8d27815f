"""The cmdlets an administrator types, mapped to tenant settings; the rest refused by name."""

from __future__ import annotations

import pytest

from exolab.emulator.admin.cmdlets import CmdletError, assignments, parse
from exolab.emulator.admin.switches import switch_states
from exolab.emulator.tenant import load_default_tenant, parse_assignment

TENANT = load_default_tenant()


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "Set-TransportConfig -SmtpClientAuthenticationDisabled $false",
            ["TransportConfig.SmtpClientAuthenticationDisabled=false"],
        ),
        (
            "set-transportconfig -AllowLegacyTLSClients:$true",
            ["TransportConfig.AllowLegacyTLSClients=true"],
        ),
        (
            "Set-OrganizationConfig -RejectDirectSend $true",
            ["OrganizationConfig.RejectDirectSend=true"],
        ),
        (
            "Set-CASMailbox -Identity scanner@contoso.com -SmtpClientAuthenticationDisabled $false",
            ["Mailbox[scanner@contoso.com].SmtpClientAuthenticationDisabled=false"],
        ),
        (
            'Set-AuthenticationPolicy -Identity "Block Basic Auth" -AllowBasicAuthSmtp:$false',
            ["AuthenticationPolicy.AllowBasicAuthSmtp=false"],
        ),
        (
            "Update-MgPolicyIdentitySecurityDefaultEnforcementPolicy -IsEnabled $true",
            ["SecurityDefaults.IsEnabled=true"],
        ),
    ],
)
def test_known_cmdlets_map_to_tenant_keys(command: str, expected: list[str]) -> None:
    assert assignments(command, TENANT) == expected
    for item in expected:
        parse_assignment(item)  # each is valid --set syntax


def test_send_as_is_added_to_the_trustees_already_there() -> None:
    (item,) = assignments(
        "Add-RecipientPermission -Identity scanner@contoso.com -Trustee alice@contoso.com "
        "-AccessRights SendAs -Confirm:$false",
        TENANT,
    )
    assert item.startswith("Mailbox[scanner@contoso.com].SendAsTrustees=[")
    assert '"alice@contoso.com"' in item


def test_parser_reads_lists_quotes_and_switches() -> None:
    command = parse(
        "Set-InboundConnector -Identity 'Branch ''A''' -SenderIPAddresses 1.2.3.4,5.6.7.8 -Enabled"
    )
    assert command.parameters == {
        "identity": "Branch 'A'",
        "senderipaddresses": ("1.2.3.4", "5.6.7.8"),
        "enabled": True,
    }


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("Set-Mailbox -Identity alice@contoso.com -Foo 1", "it knows: Set-TransportConfig"),
        (
            "Set-TransportConfig -MaxSendSize 10MB",
            "Set-TransportConfig takes -SmtpClientAuthenticationDisabled",
        ),
        (
            "Set-CASMailbox -Identity nobody@contoso.com -SmtpClientAuthenticationDisabled $false",
            "no mailbox",
        ),
        ("Set-TransportConfig -SmtpClientAuthenticationDisabled maybe", "expected $true or $false"),
        ("Set-TransportConfig", "nothing to set"),
        ("not a cmdlet", "expected a cmdlet"),
        ("Set-TransportConfig " + "x" * 5000, "longer than"),
    ],
)
def test_everything_else_is_refused_with_what_is_known(command: str, says: str) -> None:
    with pytest.raises(CmdletError, match=None) as refused:
        assignments(command, TENANT)
    assert says in str(refused.value)


def test_switches_show_the_admin_center_path_and_cmdlet_in_japanese() -> None:
    states = {s["key"]: s for s in switch_states(TENANT, "ja")}
    scanner = states["Mailbox[scanner@contoso.com].SmtpClientAuthenticationDisabled"]
    assert scanner["label"] == "認証済み SMTP"
    assert scanner["path"].endswith("メールアプリを管理する > 認証済み SMTP")
    assert scanner["cmdlet"].startswith("Set-CASMailbox -Identity scanner@contoso.com")
    legacy = states["TransportConfig.AllowLegacyTLSClients"]
    assert legacy["label"].startswith("レガシ TLS クライアント")
