"""The cmdlets an administrator types, mapped to tenant settings; the rest refused by name."""

from __future__ import annotations

import pytest

from exolab.emulator.admin.cmdlets import CmdletError, assignments, parse
from exolab.emulator.admin.switches import switch_states
from exolab.emulator.tenant import (
    Mailbox,
    Tenant,
    load_default_tenant,
    parse_assignment,
    parse_tenant,
)

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
    ("named", "positional"),
    [
        (
            "Set-CASMailbox -Identity scanner@contoso.com -SmtpClientAuthenticationDisabled $false",
            "Set-CASMailbox scanner@contoso.com -SmtpClientAuthenticationDisabled $false",
        ),
        (
            "Add-RecipientPermission -Identity scanner@contoso.com -Trustee alice@contoso.com "
            "-AccessRights SendAs",
            'Add-RecipientPermission "scanner@contoso.com" -Trustee alice@contoso.com '
            "-AccessRights SendAs",
        ),
        (
            "Set-AuthenticationPolicy -Identity 'Block Basic Auth' -AllowBasicAuthSmtp:$false",
            "Set-AuthenticationPolicy 'Block Basic Auth' -AllowBasicAuthSmtp:$false",
        ),
    ],
)
def test_the_identity_may_come_first_without_its_name(named: str, positional: str) -> None:
    """-Identity is position 1 of these cmdlets: Microsoft's examples write it both ways."""
    assert parse(positional).parameters == parse(named).parameters
    assert assignments(positional, TENANT) == assignments(named, TENANT)


@pytest.mark.parametrize(
    ("command", "says"),
    [
        (
            "Set-CASMailbox scanner@contoso.com -Identity alice@contoso.com "
            "-SmtpClientAuthenticationDisabled $false",
            "-Identity is given more than once",
        ),
        (
            "Set-TransportConfig -SmtpClientAuthenticationDisabled $true "
            "-SmtpClientAuthenticationDisabled $false",
            "-SmtpClientAuthenticationDisabled is given more than once",
        ),
        (
            "Set-CASMailbox scanner@contoso.com alice@contoso.com -SmtpClientAuthenticationDisabled 1",
            "expected a -Parameter, got 'alice@contoso.com'",
        ),
    ],
)
def test_a_parameter_given_twice_or_a_second_bare_value_is_refused(command: str, says: str) -> None:
    with pytest.raises(CmdletError) as refused:
        parse(command)
    assert says in str(refused.value)


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
        (
            "Set-CASMailbox -Identity alice@contoso.com -SmtpClientAuthenticationDisabled 1",
            "expected $true, $false or $null",
        ),
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


def _applied(items: list[str]) -> Tenant:
    """The demo tenant after ``items``, applied the way the API applies them (to its document)."""
    document = TENANT.model_dump(by_alias=True, mode="json", exclude_none=True)
    return parse_tenant(document, "test", [parse_assignment(i) for i in items])


def _mailbox(tenant: Tenant, address: str) -> Mailbox:
    return next(m for m in tenant.mailbox if m.primary_smtp_address == address)


def test_set_casmailbox_null_clears_the_mailbox_override() -> None:
    assert _mailbox(TENANT, "scanner@contoso.com").smtp_client_authentication_disabled is False
    items = assignments(
        "Set-CASMailbox -Identity scanner@contoso.com -SmtpClientAuthenticationDisabled $null",
        TENANT,
    )
    assert items == ["Mailbox[scanner@contoso.com].SmtpClientAuthenticationDisabled=$null"]
    after = _applied(items)
    assert _mailbox(after, "scanner@contoso.com").smtp_client_authentication_disabled is None
    switch = next(
        s
        for s in switch_states(after, "en")
        if s["key"] == "Mailbox[scanner@contoso.com].SmtpClientAuthenticationDisabled"
    )
    # it follows the organization, where SMTP AUTH is off in the demo tenant
    assert switch["inherited"] and switch["on"] is False
    assert switch["cmdlet"].endswith("-SmtpClientAuthenticationDisabled $null")


def test_a_quoted_null_is_text_not_a_clear() -> None:
    _, value = parse_assignment('Mailbox[alice@contoso.com].DisplayName="$null"')
    assert value == "$null"


def test_full_access_is_stored_and_removed_and_is_not_send_as() -> None:
    added = assignments(
        "Add-MailboxPermission -Identity bob@contoso.com -User scanner@contoso.com "
        "-AccessRights FullAccess -InheritanceType All -AutoMapping $false",
        TENANT,
    )
    assert added == ['Mailbox[bob@contoso.com].FullAccessTrustees=["scanner@contoso.com"]']
    after = _applied(added)
    bob = _mailbox(after, "bob@contoso.com")
    assert bob.full_access_trustees == ("scanner@contoso.com",)
    assert "scanner@contoso.com" not in bob.send_as_trustees
    removed = assignments(
        "Remove-MailboxPermission -Identity bob@contoso.com -User scanner@contoso.com "
        "-AccessRights FullAccess -Confirm:$false",
        after,
    )
    assert removed == ["Mailbox[bob@contoso.com].FullAccessTrustees=[]"]


@pytest.mark.parametrize(
    ("command", "says"),
    [
        (
            "Add-MailboxPermission -Identity bob@contoso.com -User scanner@contoso.com "
            "-AccessRights SendAs",
            "Send As is Add-RecipientPermission",
        ),
        (
            "Add-MailboxPermission -Identity bob@contoso.com -User scanner@contoso.com "
            "-AccessRights ReadPermission",
            "the lab models FullAccess",
        ),
        (
            "Add-MailboxPermission -Identity bob@contoso.com -AccessRights FullAccess",
            "expected -User ADDRESS",
        ),
        (
            "Add-MailboxPermission -Identity bob@contoso.com -Owner x",
            "Add-MailboxPermission takes -User",
        ),
        ("Get-MailboxPermission -Identity bob@contoso.com", "Add-MailboxPermission -User"),
    ],
)
def test_mailbox_permission_refusals_say_what_is_known(command: str, says: str) -> None:
    with pytest.raises(CmdletError) as refused:
        assignments(command, TENANT)
    assert says in str(refused.value)


def test_remove_recipient_permission_takes_send_as_away() -> None:
    granted = _applied(
        assignments(
            "Add-RecipientPermission -Identity bob@contoso.com -Trustee scanner@contoso.com "
            "-AccessRights SendAs",
            TENANT,
        )
    )
    assert "scanner@contoso.com" in _mailbox(granted, "bob@contoso.com").send_as_trustees
    items = assignments(
        "Remove-RecipientPermission -Identity bob@contoso.com -Trustee scanner@contoso.com "
        "-AccessRights SendAs -Confirm:$false",
        granted,
    )
    after = _applied(items)
    assert "scanner@contoso.com" not in _mailbox(after, "bob@contoso.com").send_as_trustees
