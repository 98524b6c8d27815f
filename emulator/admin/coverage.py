"""Which cmdlet sets each tenant setting, or why none does: the audit of the tenant model.

Every setting of ``emulator.tenant.model.Tenant`` is here, keyed as the tenant
file writes it (``Section.Key``, ``Collection[].Key`` for a collection's field,
``Section.*`` for a whole section). A test walks the model and fails when a
setting is missing, so a new setting gets its cmdlet or its reason the day it
is added. ``exolab admin`` maps exactly the cmdlets named here (the test checks
each parameter is one the shell reads).

A setting with no cmdlet is one of:

- ``lab``: the lab's own knob or the simulated world around the tenant (sites,
  DNS, faults, the clock); Microsoft has no such switch.
- ``service``: a fact or limit Microsoft sets for the service or keeps itself
  (its block lists, the MX host name, the basic-auth timeline); no administrator
  can change it.
- ``portal``: an administrator sets it, but in an admin center, Azure, or as a
  Graph object body (a hashtable), not with a cmdlet parameter the lab reads.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from exolab.emulator.tenant.model import Tenant

EXO = "https://learn.microsoft.com/powershell/module/exchangepowershell/"
GRAPH = "https://learn.microsoft.com/powershell/module/microsoft.graph.identity.signins/"

PAGES: dict[str, str] = {
    "Set-TransportConfig": f"{EXO}set-transportconfig",
    "Set-OrganizationConfig": f"{EXO}set-organizationconfig",
    "Set-CASMailbox": f"{EXO}set-casmailbox",
    "Set-AuthenticationPolicy": f"{EXO}set-authenticationpolicy",
    "Update-MgPolicyIdentitySecurityDefaultEnforcementPolicy": (
        f"{GRAPH}update-mgpolicyidentitysecuritydefaultenforcementpolicy"
    ),
    "Set-InboundConnector": f"{EXO}set-inboundconnector",
    "Add-RecipientPermission": f"{EXO}add-recipientpermission",
    "Remove-RecipientPermission": f"{EXO}remove-recipientpermission",
    "Add-MailboxPermission": f"{EXO}add-mailboxpermission",
    "Remove-MailboxPermission": f"{EXO}remove-mailboxpermission",
    "Set-Mailbox": f"{EXO}set-mailbox",
    "Remove-BlockedSenderAddress": f"{EXO}remove-blockedsenderaddress",
    "Set-HostedConnectionFilterPolicy": f"{EXO}set-hostedconnectionfilterpolicy",
    "Set-HostedContentFilterPolicy": f"{EXO}set-hostedcontentfilterpolicy",
    "Set-AcceptedDomain": f"{EXO}set-accepteddomain",
    "New-ServicePrincipal": f"{EXO}new-serviceprincipal",
    "Update-MgIdentityConditionalAccessPolicy": f"{GRAPH}update-mgidentityconditionalaccesspolicy",
    "New-MailUser": f"{EXO}new-mailuser",
    "Set-MailUser": f"{EXO}set-mailuser",
    "Add-HVEAppAccess": f"{EXO}add-hveappaccess",
    "Remove-HVEAppAccess": f"{EXO}remove-hveappaccess",
    "Set-HVEAccountBillingPolicy": f"{EXO}set-hveaccountbillingpolicy",
}
"""Microsoft's reference page of each cmdlet the lab maps."""


@dataclass(frozen=True)
class ByCmdlet:
    """The setting is what ``cmdlet -parameter`` sets."""

    cmdlet: str
    parameter: str


@dataclass(frozen=True)
class NoCmdlet:
    kind: Literal["lab", "service", "portal"]
    why: str


Entry = ByCmdlet | NoCmdlet


def _lab(why: str) -> NoCmdlet:
    return NoCmdlet("lab", why)


def _service(why: str) -> NoCmdlet:
    return NoCmdlet("service", why)


def _portal(why: str) -> NoCmdlet:
    return NoCmdlet("portal", why)


_SERVICE_LIMIT = _service("a service limit Microsoft sets (Exchange Online limits page)")
_EXCHANGE_SERVER = _lab(
    "Exchange Server's receive-connector name; Exchange Online publishes no such setting"
)
_SCL = _lab("the lab's SPF-to-SCL mapping (CHOSEN; Microsoft publishes none)")
_AZURE = _portal("an Azure Communication Services resource (Azure portal, Az PowerShell)")
_ENTRA_APP = _portal("an Entra app registration (Entra admin center, Microsoft Graph)")

COVERAGE: dict[str, Entry] = {
    # [Tenant]
    "Tenant.Name": _service("the tenant's primary domain, fixed when it is created"),
    "Tenant.TenantId": _service("the directory id Microsoft assigns"),
    "Tenant.MxHost": _service("the MX host Microsoft provisions for the domain"),
    "Tenant.MxHostStyle": _service("the MX namespace Microsoft provisions for the domain"),
    "Tenant.MxZone": _service("the mx.microsoft zone Microsoft picks"),
    "Tenant.AcceptedDomains": _portal("Microsoft 365 admin center > Settings > Domains"),
    "Tenant.Created": _service("when the tenant was created"),
    "Tenant.DirectoryBasedEdgeBlocking": ByCmdlet("Set-AcceptedDomain", "DomainType"),
    "Tenant.Region": _service("the datacenter region Microsoft keeps the tenant in"),
    "Tenant.Trial": _service("the tenant's subscription state"),
    "Lab.*": _lab("the lab clock, seed, addresses and reply style"),
    "TransportConfig.SmtpClientAuthenticationDisabled": ByCmdlet(
        "Set-TransportConfig", "SmtpClientAuthenticationDisabled"
    ),
    "TransportConfig.AllowLegacyTLSClients": ByCmdlet(
        "Set-TransportConfig", "AllowLegacyTLSClients"
    ),
    "OrganizationConfig.RejectDirectSend": ByCmdlet("Set-OrganizationConfig", "RejectDirectSend"),
    "SecurityDefaults.IsEnabled": ByCmdlet(
        "Update-MgPolicyIdentitySecurityDefaultEnforcementPolicy", "IsEnabled"
    ),
    "AuthenticationPolicy.AllowBasicAuthSmtp": ByCmdlet(
        "Set-AuthenticationPolicy", "AllowBasicAuthSmtp"
    ),
    "PasswordRuleSettings.*": _portal(
        "Entra admin center > Authentication methods > Password protection (smart lockout)"
    ),
    "ConditionalAccessPolicy[].DisplayName": ByCmdlet(
        "Update-MgIdentityConditionalAccessPolicy", "ConditionalAccessPolicyId"
    ),
    "ConditionalAccessPolicy[].State": ByCmdlet(
        "Update-MgIdentityConditionalAccessPolicy", "State"
    ),
    "ConditionalAccessPolicy[].IncludeUsers": _portal("a Graph conditions body (-Conditions)"),
    "ConditionalAccessPolicy[].ExcludeUsers": _portal("a Graph conditions body (-Conditions)"),
    "ConditionalAccessPolicy[].ClientAppTypes": _portal("a Graph conditions body (-Conditions)"),
    "ConditionalAccessPolicy[].ExcludeTrustedIps": _portal(
        "a named location (Entra admin center > Conditional Access > Named locations)"
    ),
    "ConditionalAccessPolicy[].GrantControl": _portal(
        "a Graph grant controls body (-GrantControls)"
    ),
    "BasicAuthRetirement.DisabledByDefaultFrom": _service("Microsoft's basic-auth timeline"),
    "BasicAuthRetirement.RemovedFrom": _service("Microsoft's basic-auth timeline"),
    "BasicAuthRetirement.ReEnabled": _lab("Microsoft has not published this switch's name"),
    "BasicAuthRetirement.DefaultOffReply": _lab("Microsoft has not published this reply"),
    "Limits.MaxConcurrentConnectionsPerMailbox": _SERVICE_LIMIT,
    "Limits.MessagesPerMinute": _SERVICE_LIMIT,
    "Limits.MessageRateAction": _lab("how the lab shows the rate limit"),
    "Limits.MessageRateMaxHold": _lab("how the lab shows the rate limit"),
    "Limits.RecipientMessagesPerHour": _SERVICE_LIMIT,
    "Limits.RecipientMessagesPerHourPerSender": _SERVICE_LIMIT,
    "Limits.RecipientsPerDay": _service(
        "the service's recipient rate limit (Set-HostedOutboundSpamFilterPolicy "
        "-RecipientLimitPerDay sets a lower policy limit, a different rule)"
    ),
    "Limits.RecipientsPerMessage": ByCmdlet("Set-TransportConfig", "MaxRecipientEnvelopeLimit"),
    "Limits.TenantExternalRecipientsPerDay": _service("the tenant external recipient rate limit"),
    "Limits.MaxMessageSize": _service(
        "the largest message Exchange Online takes; per-mailbox sizes are Set-Mailbox's"
    ),
    "Limits.MaxHeaderSize": _SERVICE_LIMIT,
    "Limits.MaxLogonFailures": _EXCHANGE_SERVER,
    "Limits.MaxInboundConnectionPerSource": _EXCHANGE_SERVER,
    "Limits.MaxInboundConnection": _EXCHANGE_SERVER,
    "Limits.ConnectionTimeout": _SERVICE_LIMIT,
    "SpamFilter.SclSpfPass": _SCL,
    "SpamFilter.SclSpfNeutral": _SCL,
    "SpamFilter.SclSpfNone": _SCL,
    "SpamFilter.SclSpfSoftfail": _SCL,
    "SpamFilter.SclSpfFail": _SCL,
    "SpamFilter.SclSpfError": _SCL,
    "SpamFilter.SclDmarcReject": _SCL,
    "SpamFilter.JunkThreshold": _lab("the SCL at which Exchange Online moves mail to Junk Email"),
    "SpamFilter.HighConfidenceThreshold": _lab("the SCL Exchange Online calls high confidence"),
    "SpamFilter.HighConfidenceAction": ByCmdlet(
        "Set-HostedContentFilterPolicy", "HighConfidenceSpamAction"
    ),
    "Mailbox[].PrimarySmtpAddress": ByCmdlet("Set-Mailbox", "Identity"),
    "Mailbox[].DisplayName": ByCmdlet("Set-Mailbox", "DisplayName"),
    "Mailbox[].RecipientTypeDetails": ByCmdlet("Set-Mailbox", "Type"),
    "Mailbox[].Licensed": _portal("a licence assignment (Microsoft 365 admin center, Graph)"),
    "Mailbox[].Password": _portal(
        "a password reset (Microsoft 365 admin center; Update-MgUser -PasswordProfile body)"
    ),
    "Mailbox[].SmtpClientAuthenticationDisabled": ByCmdlet(
        "Set-CASMailbox", "SmtpClientAuthenticationDisabled"
    ),
    "Mailbox[].EmailAddresses": ByCmdlet("Set-Mailbox", "EmailAddresses"),
    "Mailbox[].SendAsTrustees": ByCmdlet("Add-RecipientPermission", "Trustee"),
    "Mailbox[].FullAccessTrustees": ByCmdlet("Add-MailboxPermission", "User"),
    "Mailbox[].MaxSendSize": ByCmdlet("Set-Mailbox", "MaxSendSize"),
    "Mailbox[].ProhibitSendQuota": ByCmdlet("Set-Mailbox", "ProhibitSendQuota"),
    "Mailbox[].TotalItemSize": _service("what the mailbox holds (Get-MailboxStatistics reads it)"),
    "Mailbox[].ProhibitSendReceiveQuota": ByCmdlet("Set-Mailbox", "ProhibitSendReceiveQuota"),
    "Mailbox[].MaxReceiveSize": ByCmdlet("Set-Mailbox", "MaxReceiveSize"),
    "Mailbox[].RestrictedSender": ByCmdlet("Remove-BlockedSenderAddress", "SenderAddress"),
    "Mailbox[].MfaRequired": _portal("per-user MFA (Entra admin center > Per-user MFA)"),
    "Mailbox[].FederatedSts": _lab(
        "the identity provider of a federated domain, as the lab sees it"
    ),
    "Mailbox[].RecipientThreadLimited": _service("the mailbox store's load"),
    "Site[].*": _lab("where a simulated device sits and the NAT table"),
    "InboundConnector[].Name": ByCmdlet("Set-InboundConnector", "Identity"),
    "InboundConnector[].ConnectorType": ByCmdlet("Set-InboundConnector", "ConnectorType"),
    "InboundConnector[].Enabled": ByCmdlet("Set-InboundConnector", "Enabled"),
    "InboundConnector[].SenderIPAddresses": ByCmdlet("Set-InboundConnector", "SenderIPAddresses"),
    "InboundConnector[].TlsSenderCertificateName": ByCmdlet(
        "Set-InboundConnector", "TlsSenderCertificateName"
    ),
    "InboundConnector[].RequireTls": ByCmdlet("Set-InboundConnector", "RequireTls"),
    "InboundConnector[].SendsToRegion": _lab(
        "where the connector's server sends, as the lab sees it"
    ),
    "Blocklist.BannedSendingIps": _service("Microsoft's own reputation lists"),
    "Blocklist.BannedSenders": _service("Microsoft's own reputation lists"),
    "Blocklist.NotAcceptedIps": _service("Microsoft's own reputation lists"),
    "Blocklist.ThrottledIps": _service("Microsoft's own reputation lists"),
    "Blocklist.SuspiciousIps": _service("Microsoft's own reputation lists"),
    "Blocklist.IPBlockList": ByCmdlet("Set-HostedConnectionFilterPolicy", "IPBlockList"),
    "Blocklist.TenantOverThreshold": _service("Microsoft blocks the tenant's outbound mail"),
    "Blocklist.RejectUnregisteredSenderDomains": _service(
        "Microsoft decides when it enforces this for a tenant"
    ),
    "ExternalDomain[].*": _lab("the world outside the tenant"),
    "App[].*": _ENTRA_APP,
    "ServicePrincipal[].AppId": ByCmdlet("New-ServicePrincipal", "AppId"),
    "ServicePrincipal[].ObjectId": ByCmdlet("New-ServicePrincipal", "ObjectId"),
    "ServicePrincipal[].MailboxPermissions": ByCmdlet("Add-MailboxPermission", "User"),
    "HighVolumeEmail.*": _service("how Microsoft runs High Volume Email"),
    "HveAccount[].PrimarySmtpAddress": ByCmdlet("New-MailUser", "PrimarySmtpAddress"),
    "HveAccount[].DisplayName": ByCmdlet("Set-MailUser", "DisplayName"),
    "HveAccount[].Password": ByCmdlet("Set-MailUser", "Password"),
    "HveAccount[].EmailAddresses": ByCmdlet("Set-MailUser", "EmailAddresses"),
    "HveAccount[].AllowBasicAuthSmtp": _portal(
        "an authentication policy assigned with Set-User -AuthenticationPolicy; the lab has no "
        "named policies"
    ),
    "HveAccount[].BillingPolicyId": ByCmdlet("Set-HVEAccountBillingPolicy", "BillingPolicyId"),
    "HveAccount[].AllowedAppIds": ByCmdlet("Add-HVEAppAccess", "AppIds"),
    "HveAccount[].AppAccessChanged": ByCmdlet("Add-HVEAppAccess", "AppIds"),
    "CommunicationService[].*": _AZURE,
    "EmailDomain[].*": _AZURE,
    "SmtpUsername[].*": _AZURE,
    "TokenLifetimePolicy.*": _portal("a token lifetime policy definition (Graph JSON)"),
    "Dns.*": _lab("the DNS the lab serves for the whole simulated world"),
    "Fault[].*": _lab("scripted failures"),
}


def _model_of(annotation: object) -> type[BaseModel] | None:
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def setting_keys() -> list[str]:
    """Every setting of the tenant model as ``Section.Key`` or ``Collection[].Key``."""
    keys = []
    for name, info in Tenant.model_fields.items():
        model = _model_of(info.annotation)
        if model is None:
            continue
        section = (info.alias or name) + (
            "[]" if typing.get_origin(info.annotation) is tuple else ""
        )
        keys += [f"{section}.{f.alias or n}" for n, f in model.model_fields.items()]
    return keys


def entry_for(key: str) -> Entry | None:
    """The audit's answer for ``key`` (as ``setting_keys`` writes it)."""
    section = key.partition(".")[0]
    return COVERAGE.get(key) or COVERAGE.get(f"{section}.*")
