"""Set-Mailbox, the tenant's filters, service principals and CA policies, as tenant settings."""

from __future__ import annotations

import pytest

from exolab.emulator.admin.cmdlets import CmdletError
from exolab.emulator.admin.shell import assignments
from exolab.emulator.tenant import Tenant, load_default_tenant, parse_assignment, parse_tenant

TENANT = load_default_tenant()
SP_APP = "5f0c2a8e-3a51-4c47-9d0e-1b5a6c7d8e90"
SP_OBJECT = "6a1d3c9b-2f4e-4d8a-b7c6-5e4f3a2b1c0d"


def _applied(items: list[str], tenant: Tenant = TENANT) -> Tenant:
    """The tenant after ``items``, validated the way the API validates a live change."""
    document = tenant.model_dump(by_alias=True, mode="json", exclude_none=True)
    return parse_tenant(document, "test", [parse_assignment(i) for i in items])


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "Set-Mailbox -Identity alice@contoso.com -ProhibitSendReceiveQuota 1GB "
            "-MaxReceiveSize 25MB",
            [
                "Mailbox[alice@contoso.com].ProhibitSendReceiveQuota=1073741824",
                "Mailbox[alice@contoso.com].MaxReceiveSize=26214400",
            ],
        ),
        (
            "Set-Mailbox -Identity alice@contoso.com -MaxSendSize '35 MB (36,700,160 bytes)' "
            "-ProhibitSendQuota 2048",
            [
                "Mailbox[alice@contoso.com].ProhibitSendQuota=2048",
                "Mailbox[alice@contoso.com].MaxSendSize=36700160",
            ],
        ),
        (
            "Set-Mailbox -Identity frontdesk@contoso.com -Type Regular -DisplayName 'Front'",
            [
                'Mailbox[frontdesk@contoso.com].DisplayName="Front"',
                'Mailbox[frontdesk@contoso.com].RecipientTypeDetails="UserMailbox"',
            ],
        ),
        (
            "Remove-BlockedSenderAddress -SenderAddress bob@contoso.com -Reason 'cleaned up'",
            ["Mailbox[bob@contoso.com].RestrictedSender=false"],
        ),
        (
            "Set-HostedConnectionFilterPolicy -Identity Default -IPBlockList 192.0.2.1,198.51.100.0/24",
            ['Blocklist.IPBlockList=["192.0.2.1", "198.51.100.0/24"]'],
        ),
        (
            "Set-HostedConnectionFilterPolicy -Identity Default -IPBlockList $null",
            ["Blocklist.IPBlockList=[]"],
        ),
        (
            "Set-HostedContentFilterPolicy -Identity Default -HighConfidenceSpamAction Quarantine",
            ['SpamFilter.HighConfidenceAction="Quarantine"'],
        ),
        (
            "Set-AcceptedDomain -Identity contoso.com -DomainType InternalRelay",
            ["Tenant.DirectoryBasedEdgeBlocking=false"],
        ),
        (
            "Set-TransportConfig -MaxRecipientEnvelopeLimit 500",
            ["Limits.RecipientsPerMessage=500"],
        ),
        (
            "Set-TransportConfig -MaxRecipientEnvelopeLimit Unlimited",
            ["Limits.RecipientsPerMessage=1000"],
        ),
        (
            f"Add-MailboxPermission -Identity alice@contoso.com -User {SP_OBJECT} "
            "-AccessRights FullAccess",
            [
                f'ServicePrincipal[{SP_APP}].MailboxPermissions=["scanner@contoso.com", '
                '"alice@contoso.com"]'
            ],
        ),
        (
            f"Remove-MailboxPermission -Identity scanner@contoso.com -User {SP_APP} "
            "-AccessRights FullAccess",
            [f"ServicePrincipal[{SP_APP}].MailboxPermissions=[]"],
        ),
    ],
)
def test_each_cmdlet_maps_to_settings_the_tenant_accepts(command: str, expected: list[str]) -> None:
    items = assignments(command, TENANT)
    assert items == expected
    _applied(items)


def test_the_new_values_take_effect_in_the_tenant() -> None:
    tenant = _applied(
        assignments("Set-Mailbox -Identity alice@contoso.com -ProhibitSendReceiveQuota 1GB", TENANT)
        + assignments("Set-HostedConnectionFilterPolicy -IPBlockList 192.0.2.1", TENANT)
    )
    alice = tenant.find_mailbox("alice@contoso.com")
    assert alice is not None and alice.prohibit_send_receive_quota == 1024**3
    assert tenant.blocklist.ip_block_list == ("192.0.2.1",)


def test_a_new_service_principal_and_an_inbound_connector_from_powershell() -> None:
    app, obj = "11111111-2222-3333-4444-555555555555", "66666666-7777-8888-9999-000000000000"
    items = assignments(f"New-ServicePrincipal -AppId {app} -ObjectId {obj} -DisplayName x", TENANT)
    tenant = _applied(items)
    principal = tenant.find_service_principal(app)
    assert principal is not None and principal.object_id == obj
    with_connector = _applied(['InboundConnector[Office].SenderIPAddresses=["203.0.113.39"]'])
    items = assignments(
        "Set-InboundConnector -Identity Office -ConnectorType partner "
        "-TlsSenderCertificateName mail.contoso.com",
        with_connector,
    )
    assert items == [
        'InboundConnector[Office].ConnectorType="Partner"',
        'InboundConnector[Office].TlsSenderCertificateName="mail.contoso.com"',
    ]
    connector = _applied(items, with_connector).inbound_connector[0]
    assert connector.tls_sender_certificate_name == "mail.contoso.com"


def test_a_conditional_access_policy_is_switched_by_its_name() -> None:
    tenant = _applied(['ConditionalAccessPolicy[Block legacy].State="enabled"'])
    items = assignments(
        "Update-MgIdentityConditionalAccessPolicy -ConditionalAccessPolicyId 'Block legacy' "
        "-State enabledForReportingButNotEnforced",
        tenant,
    )
    assert _applied(items, tenant).conditional_access_policy[0].state == (
        "enabledForReportingButNotEnforced"
    )


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("Set-Mailbox -Identity alice@contoso.com -MaxReceiveSize Unlimited", "expected a size"),
        ("Set-Mailbox -Identity alice@contoso.com -RecipientLimits 10", "takes -ProhibitSendQuota"),
        ("Set-Mailbox -Identity nobody@contoso.com -MaxSendSize 1MB", "no mailbox"),
        ("Set-Mailbox -Identity alice@contoso.com -Type Equipment", "Shared and Regular"),
        ("Remove-BlockedSenderAddress -Reason x", "-SenderAddress is required"),
        ("Set-HostedConnectionFilterPolicy -IPBlockList nonsense", "not an IP"),
        ("Set-HostedConnectionFilterPolicy -IPBlockList @{Replace='192.0.2.1'}", "whole list"),
        ("Set-HostedConnectionFilterPolicy -Identity Other -IPBlockList 192.0.2.1", "one policy"),
        ("Set-HostedConnectionFilterPolicy -IPAllowList 192.0.2.1", "not modelled"),
        ("Set-HostedContentFilterPolicy -HighConfidenceSpamAction Delete", "MoveToJmf"),
        ("Set-AcceptedDomain -Identity fabrikam.com -DomainType InternalRelay", "accepted domain"),
        ("Set-TransportConfig -MaxRecipientEnvelopeLimit 5000", "1 to 1000"),
        ("New-ServicePrincipal -AppId nope -ObjectId nope", "GUID"),
        (f"New-ServicePrincipal -AppId {SP_APP} -ObjectId {SP_OBJECT}", "already exists"),
        (
            "Update-MgIdentityConditionalAccessPolicy -ConditionalAccessPolicyId x -State enabled",
            "names no",
        ),
    ],
)
def test_what_the_lab_cannot_honour_is_refused_by_name(command: str, says: str) -> None:
    with pytest.raises(CmdletError) as refused:
        assignments(command, TENANT)
    assert says in str(refused.value)


def test_the_ip_block_list_is_changed_with_add_and_remove_tables_as_the_fix_advice_says() -> None:
    listed = _applied(['Blocklist.IPBlockList=["192.0.2.1", "198.51.100.7"]'])
    removed = assignments(
        'Set-HostedConnectionFilterPolicy -Identity Default -IPBlockList @{Remove="192.0.2.1"}',
        listed,
    )
    assert removed == ['Blocklist.IPBlockList=["198.51.100.7"]']
    added = assignments(
        "Set-HostedConnectionFilterPolicy -IPBlockList @{Add='203.0.113.5'}", listed
    )
    assert added == ['Blocklist.IPBlockList=["192.0.2.1", "198.51.100.7", "203.0.113.5"]']
    _applied(added, listed)
