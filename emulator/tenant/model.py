"""The tenant model: frozen, validated, named the way Exchange Online names things.

Attributes are snake_case in Python; in the TOML file and in ``--set`` keys
they carry Microsoft's own names (``SmtpClientAuthenticationDisabled``,
``AllowLegacyTLSClients``, ``RejectDirectSend`` …) so an administrator
recognises them. Where Microsoft has no name for a lab concept (sites, the
lab clock, the spam-verdict mapping) the name is ours and the docs say so.
"""

from __future__ import annotations

import ipaddress
import threading
from datetime import date, datetime
from typing import Annotated, Literal, Protocol, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_pascal
from pydantic_core import PydanticCustomError

from exolab.emulator.tenant.fault import Fault


class _Section(BaseModel):
    """Base for every tenant section: frozen, strict about unknown keys."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_pascal,
        populate_by_name=True,
    )


Address = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
IPv4 = Annotated[str, Field(pattern=r"^\d{1,3}(\.\d{1,3}){3}$")]


def _lower(value: str) -> str:
    return value.strip().lower()


class TenantInfo(_Section):
    """Who the tenant is."""

    name: str = "contoso.com"
    """The primary domain; the tenant is known by it."""

    tenant_id: str = Field(default="9188040d-6c67-4c5b-b112-36a304b66dad", alias="TenantId")
    """The directory (tenant) id: the `tid` of tokens and a path segment of the token endpoint."""

    mx_host: str = "contoso-com.mail.protection.outlook.com"
    """The MX endpoint that direct send and relay devices use (with ``MxHostStyle =
    "mx.microsoft"`` its first label names the host in that namespace instead)."""

    mx_host_style: Literal["protection", "mx.microsoft"] = "protection"
    """Which MX namespace the tenant's domains point to. ``protection``:
    ``contoso-com.mail.protection.outlook.com``. ``mx.microsoft``: the DNSSEC-signed namespace
    new accepted domains get from July 2026 (MC1048624), ``contoso-com.<MxZone>.mx.microsoft``;
    a longer name for a device's server field."""

    mx_zone: str = Field(default="a-v1", pattern=r"^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")
    """The ``mx.microsoft`` zone the domain is provisioned in: Microsoft picks one of several
    zones (a DNSSEC performance limit), so the label varies per domain. The default is CHOSEN."""

    @property
    def mx_endpoint(self) -> str:
        """The MX host name the lab serves, resolves and lists in endpoints.json."""
        if self.mx_host_style == "protection":
            return self.mx_host
        return f"{self.mx_host.split('.', 1)[0]}.{self.mx_zone}.mx.microsoft"

    accepted_domains: tuple[str, ...] = ("contoso.com",)
    """Domains the tenant receives mail for (`Get-AcceptedDomain`)."""

    created: date = date(2021, 4, 1)
    """When the tenant was created: before 2020 SMTP AUTH was on by default, and
    the basic-auth retirement treats existing tenants differently from new ones."""

    directory_based_edge_blocking: bool = True
    """DBEB: unknown recipients in an accepted domain are refused at RCPT (5.4.1)."""

    region: str = "NAM"
    """The Microsoft 365 region that holds the tenant (lab name; NAM, EUR, APC, JPN …)."""

    trial: bool = False
    """A trial tenant (lab name): over its external recipient limit, NDRs say 5.7.232."""

    @field_validator("accepted_domains")
    @classmethod
    def _norm_domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_lower(d) for d in value)


class TransportConfig(_Section):
    """``Set-TransportConfig`` switches."""

    smtp_client_authentication_disabled: bool = True
    """SMTP AUTH off for the whole organization (the default for tenants created after January 2020)."""

    allow_legacy_tls_clients: bool = Field(default=False, alias="AllowLegacyTLSClients")
    """Opt in to smtp-legacy.office365.com for TLS 1.0/1.1 clients."""


class OrganizationConfig(_Section):
    """``Set-OrganizationConfig`` switches."""

    reject_direct_send: bool = False
    """Refuse anonymous mail whose envelope sender is in an accepted domain (550 5.7.68)."""


class SecurityDefaults(_Section):
    """Entra ID security defaults (identitySecurityDefaultsEnforcementPolicy)."""

    is_enabled: bool = False
    """Security defaults on: legacy (basic) sign-in is blocked for everyone."""


class PasswordRuleSettings(_Section):
    """Entra ID smart lockout (the "Password Rule Settings" directory setting; Entra admin
    center > Authentication methods > Password protection)."""

    lockout_threshold: int = Field(default=10, ge=1)
    """Failed sign-ins (each a different wrong password) before the account is locked."""

    lockout_duration_in_seconds: int = Field(default=60, ge=1)
    """How long a lockout lasts; each further failure locks the account again."""


class AuthenticationPolicy(_Section):
    """The organization's default Exchange authentication policy (``New-AuthenticationPolicy``)."""

    allow_basic_auth_smtp: bool = True
    """False: basic SMTP AUTH is refused with "basic authentication is disabled"."""


class ConditionalAccessPolicy(_Section):
    """A Conditional Access policy that blocks legacy (basic) sign-in, as far as SMTP AUTH sees it."""

    display_name: str
    state: Literal["enabled", "disabled", "enabledForReportingButNotEnforced"] = "enabled"
    """Report-only policies do not block."""

    include_users: tuple[str, ...] = ("All",)
    exclude_users: tuple[str, ...] = ()
    client_app_types: tuple[Literal["exchangeActiveSync", "other", "all"], ...] = ("other",)
    """"other" covers legacy clients such as SMTP AUTH with basic credentials."""

    exclude_trusted_ips: tuple[str, ...] = ()
    """Public IP ranges (CIDR) where the policy does not apply: a named trusted location."""

    grant_control: Literal["block", "mfa"] = "block"

    @field_validator("exclude_trusted_ips")
    @classmethod
    def _cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            ipaddress.ip_network(item, strict=False)
        return value

    def applies_to(self, address: str, public_ip: str, legacy: bool) -> bool:
        """Whether this policy blocks a sign-in of ``address`` from ``public_ip``."""
        if self.state != "enabled":
            return False
        if legacy and not ({"other", "all"} & set(self.client_app_types)):
            return False
        users = {u.lower() for u in self.include_users}
        if "all" not in users and address.lower() not in users:
            return False
        if address.lower() in {u.lower() for u in self.exclude_users}:
            return False
        ip = ipaddress.ip_address(public_ip)
        return not any(
            ip in ipaddress.ip_network(n, strict=False) for n in self.exclude_trusted_ips
        )


class BasicAuthRetirement(_Section):
    """The Client Submission basic-auth timeline (Exchange Team blog, January 27, 2026 update).

    Unchanged through December 2026; then off by default for existing tenants
    (an admin may turn it back on); new tenants created after December 2026
    start without it; a final removal date is to be announced in H2 2027.
    The dates are data so a trainer can move them.
    """

    disabled_by_default_from: date = date(2027, 1, 1)
    """From this lab date basic SMTP AUTH is off for tenants created before it unless ReEnabled."""

    removed_from: date | None = None
    """Final removal (not yet announced): from this date basic auth is refused whatever the switch."""

    re_enabled: bool = False
    """The admin turned basic SMTP AUTH back on after the default flip (lab name: Microsoft
    has not published the switch's name)."""

    default_off_reply: Literal["5.7.139", "5.7.30"] = "5.7.139"
    """What AUTH LOGIN gets in the default-off phase (Microsoft has not published it):
    5.7.139 is today's reply when a policy blocks basic auth, 5.7.30 the final-removal one."""


class Limits(_Section):
    """Exchange Online sending limits that devices meet."""

    max_concurrent_connections_per_mailbox: int = Field(default=3, ge=1)
    """The fourth connection submitting for one mailbox gets 432 4.3.2."""

    messages_per_minute: int = Field(default=30, ge=1)
    """Excess messages are delayed, not refused."""

    message_rate_action: Literal["delay", "hold", "reject"] = "delay"
    """What a message over MessagesPerMinute meets (lab setting). delay: 250 at once, the
    message released when the lab clock passes the minute; hold: the 250 waits (at most
    MessageRateMaxHold seconds, then the message is released as for delay); reject: 451 4.7.0."""

    message_rate_max_hold: float = Field(default=60.0, ge=0, le=600)
    """With MessageRateAction = hold: the longest the reply after DATA waits, in seconds."""

    recipient_messages_per_hour: int | None = Field(default=None, ge=1)
    """Messages one internal recipient may receive in an hour (sliding); beyond it an NDR
    5.2.122. Unset (default): not enforced (Microsoft publishes no number)."""

    recipient_messages_per_hour_per_sender: int | None = Field(default=None, ge=1)
    """Messages one internal recipient may receive from one sender in an hour; beyond it an
    NDR 5.2.121. Unset (default): not enforced."""

    recipients_per_day: int = Field(default=10_000, ge=1)
    """24-hour sliding window; beyond it 554 5.2.0 SubmissionQuotaExceededException."""

    recipients_per_message: int = Field(default=1_000, ge=1)
    """Recipients one message may have."""

    tenant_external_recipients_per_day: int | None = Field(default=None, ge=1)
    """Tenant external recipient rate limit (TERRL): external recipients the whole tenant may
    reach in 24 hours (sliding), ``500 x licences^0.7 + 9,500``; beyond it the recipients get
    an NDR ``550 5.7.233``. Unset (default): not enforced, as for most tenants while the
    rollout's last phase is paused."""

    max_message_size: int = Field(default=157_286_400, ge=1024, alias="MaxMessageSize")
    """What EHLO advertises as SIZE (150 MiB)."""

    max_header_size: int = Field(default=262_144, ge=1024, le=1_048_576)
    """Bytes of the header block; beyond it ``552 5.3.4 Header size exceeds fixed maximum
    size`` at end of data (256 KB, Exchange Online limits: LIKELY). Lower it to demonstrate."""

    # Connection protection. Exchange Online publishes none of these; the names are the
    # receive-connector parameters of Exchange Server (Set-ReceiveConnector).
    max_logon_failures: int = Field(default=3, ge=1)
    """Failed AUTH commands one connection may make; the last failure's reply closes it
    (Exchange Server's default; EXO's value is UNKNOWN: CHOSEN)."""

    max_inbound_connection_per_source: int = Field(default=20, ge=1)
    """Open SMTP connections one source address may hold; the next gets 421 4.3.2 and is
    closed (Exchange Server's default; CHOSEN)."""

    max_inbound_connection: int = Field(default=5000, ge=1)
    """Open SMTP connections the whole lab holds; the next gets 421 4.3.2 and is closed
    (Exchange Server's default; CHOSEN)."""

    connection_timeout: float = Field(default=1200.0, gt=0)
    """Seconds a connection may stay open, busy or not, before ``421 4.4.1 Connection timed
    out. Total session duration`` (about 20 minutes seen from Exchange Online: LIKELY)."""


class SpamFilter(_Section):
    """How results of SPF / DMARC / compauth become an SCL and a folder.

    Microsoft documents the SCL meanings and folders but not a fixed mapping
    from SPF results to SCL for direct send: the mapping here is CHOSEN and a
    tenant setting.
    """

    scl_spf_pass: int = Field(default=1, ge=-1, le=9, alias="SclSpfPass")
    """SCL for ``spf=pass``: 1, "not spam" (the value clean mail carries; CHOSEN)."""
    scl_spf_neutral: int = Field(default=5, ge=-1, le=9, alias="SclSpfNeutral")
    """SCL for ``spf=neutral``: 5, the lowest spam value (CHOSEN)."""
    scl_spf_none: int = Field(default=5, ge=-1, le=9, alias="SclSpfNone")
    """SCL for ``spf=none``: 5, what spoofed own-domain direct send typically gets (LIKELY)."""
    scl_spf_softfail: int = Field(default=5, ge=-1, le=9, alias="SclSpfSoftfail")
    """SCL for ``spf=softfail``: 5, spam but not high confidence (CHOSEN)."""
    scl_spf_fail: int = Field(default=6, ge=-1, le=9, alias="SclSpfFail")
    """SCL for ``spf=fail``: 6, the higher spam value, still Junk Email (CHOSEN)."""
    scl_spf_error: int = Field(default=5, ge=-1, le=9, alias="SclSpfError")
    """SCL for ``spf=temperror``/``permerror``: 5, as for no result (CHOSEN)."""
    scl_dmarc_reject: int = Field(default=6, ge=-1, le=9, alias="SclDmarcReject")
    """The least SCL a DMARC failure under ``oreject``/``quarantine`` gets: 6 (documented:
    oreject "marks the message as spam"; the value is CHOSEN)."""
    junk_threshold: int = Field(default=5, ge=0, le=9)
    """SCL at or above this goes to Junk Email (documented: 5 and 6 → Junk)."""

    high_confidence_threshold: int = Field(default=9, ge=0, le=9)
    high_confidence_action: Literal["Junk", "Quarantine"] = "Junk"


class Mailbox(_Section):
    """A recipient in the tenant: user or shared mailbox, with the switches SMTP AUTH checks."""

    primary_smtp_address: Address
    display_name: str = ""
    recipient_type_details: Literal["UserMailbox", "SharedMailbox"] = "UserMailbox"
    """A shared mailbox cannot sign in for SMTP AUTH."""

    licensed: bool = True
    """Holds an Exchange Online licence; SMTP AUTH needs one."""

    password: str | None = None
    """The sign-in password (lab only). A shared mailbox normally has none."""

    smtp_client_authentication_disabled: bool | None = None
    """Unset follows TransportConfig; set overrides it (``Set-CASMailbox``)."""

    email_addresses: tuple[Address, ...] = ()
    """Proxy addresses besides the primary one."""

    send_as_trustees: tuple[Address, ...] = ()
    """Who holds Send As on this mailbox (``Add-RecipientPermission -AccessRights SendAs``)."""

    full_access_trustees: tuple[Address, ...] = ()
    """Who holds Full Access (``Add-MailboxPermission -AccessRights FullAccess``): they may open
    the mailbox, not send as it, so SMTP AUTH still answers 5.7.60 / SendAsDenied
    (https://learn.microsoft.com/en-us/exchange/recipients-in-exchange-online/manage-permissions-for-recipients)."""

    max_send_size: int = Field(default=36_700_160, ge=1024)
    """Bytes (default 35 MB)."""

    prohibit_send_quota: int = Field(default=106_300_440_576, ge=0)
    """Bytes (default 99 GB, ``Set-Mailbox -ProhibitSendQuota``): at or over it the mailbox
    may not send (``554 5.2.2 mailbox full``: the Sent Items copy cannot be saved)."""

    total_item_size: int = Field(default=0, ge=0)
    """Bytes the mailbox holds already (``Get-MailboxStatistics``), a lab value."""

    prohibit_send_receive_quota: int = Field(default=107_374_182_400, ge=0)
    """Bytes (default 100 GB, ``Set-Mailbox -ProhibitSendReceiveQuota``): at or over it the
    mailbox receives nothing; mail to it comes back to its sender as an NDR ``554 5.2.2
    mailbox full``."""

    max_receive_size: int = Field(default=37_748_736, ge=1024)
    """Bytes (default 36 MB, ``Set-Mailbox -MaxReceiveSize``): a larger message comes back to
    its sender as an NDR ``550 5.2.3 RESOLVER.RST.RecipSizeLimit``."""

    restricted_sender: bool = False
    """On the Restricted entities list (blocked for outbound spam)."""

    mfa_required: bool = False
    """Per-user MFA: legacy sign-in fails the way Conditional Access makes it fail."""

    federated_sts: Literal["none", "reachable", "unreachable", "not_https"] = Field(
        default="none", alias="FederatedSts"
    )
    """The user's domain is federated to an identity provider (AD FS) that checks the password
    (lab name): unreachable or not served over HTTPS/TLS 1.2, SMTP AUTH gets 535 5.7.139."""

    recipient_thread_limited: bool = False
    """The mailbox's store is busy delivering (lab switch): mail to it gets ``432 4.3.2
    STOREDRV.Deliver; recipient thread limit exceeded`` and the sender retries."""

    @field_validator(
        "primary_smtp_address", "email_addresses", "send_as_trustees", "full_access_trustees"
    )
    @classmethod
    def _norm_addresses(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        if isinstance(value, str):
            return _lower(value)
        return tuple(_lower(v) for v in value)

    def addresses(self) -> set[str]:
        return {self.primary_smtp_address, *self.email_addresses}


class Site(_Section):
    """Where a device sits: its lab source address and the public IP the service sees (NAT)."""

    name: str
    """The name other settings and --set selectors use."""

    source: IPv4
    """The lab source address devices at this site connect from (127.20.0.0/16)."""

    public_ip: IPv4 = Field(alias="PublicIp")
    """The public address Microsoft sees (SPF, blocklists, connectors, Received)."""

    dynamic: bool = False
    """No stable public IP (home or mobile line): fine for SMTP AUTH, wrong for SPF and connectors."""

    source_prefixes: tuple[str, ...] = ()
    """Real networks (CIDR, e.g. ``198.18.1.0/24``) whose devices count as this site, for real
    devices on a LAN (``exolab serve --lan``). ``Source`` still wins; among prefixes the longest
    match wins. A source in no site is seen from ``Lab.DefaultPublicIp``."""

    @field_validator("source_prefixes")
    @classmethod
    def _prefixes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            try:
                ipaddress.IPv4Network(item, strict=False)
            except ValueError:
                raise PydanticCustomError(
                    "source_prefixes", "IPv4 networks like 198.18.1.0/24"
                ) from None
        return value

    def prefix_length_for(self, source: str) -> int | None:
        """The longest of ``SourcePrefixes`` holding ``source`` (its length), or None."""
        try:
            ip = ipaddress.ip_address(source)
        except ValueError:
            return None
        lengths = [
            net.prefixlen
            for net in (ipaddress.IPv4Network(p, strict=False) for p in self.source_prefixes)
            if ip in net
        ]
        return max(lengths, default=None)


class InboundConnector(_Section):
    """``New-InboundConnector`` from the organization's own server or device (Option 3 relay)."""

    name: str
    """The name other settings and --set selectors use."""

    connector_type: Literal["OnPremises", "Partner"] = "OnPremises"
    enabled: bool = True
    sender_ip_addresses: tuple[str, ...] = Field(default=(), alias="SenderIPAddresses")
    """Public IPs or CIDR ranges the connector admits."""

    tls_sender_certificate_name: str | None = None
    """Admit clients whose TLS certificate names this domain."""

    require_tls: bool = False

    sends_to_region: str | None = None
    """The region whose front ends this connector's server reaches (lab name). Unset: the
    tenant's own; another region: its mail is attributed to a tenant that region does not
    hold, ``451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35``."""

    @field_validator("sender_ip_addresses")
    @classmethod
    def _cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            ipaddress.ip_network(item, strict=False)
        return value

    def admits_ip(self, public_ip: str) -> bool:
        ip = ipaddress.ip_address(public_ip)
        return self.enabled and any(
            ip in ipaddress.ip_network(n, strict=False) for n in self.sender_ip_addresses
        )


class Blocklist(_Section):
    """Reputation, as the MX's connection filtering judges a client (lab names; Microsoft keeps
    these lists itself, except the tenant's own ``IPBlockList``). Entries are public IPs or
    CIDR ranges."""

    banned_sending_ips: tuple[str, ...] = ()
    """Public IPs refused with 550 5.7.606."""

    banned_senders: tuple[str, ...] = ()
    """Public IPs on the banned-sender list that the sender cannot delist itself: 550 5.7.511."""

    not_accepted_ips: tuple[str, ...] = Field(default=(), alias="NotAcceptedIps")
    """Public IPs whose traffic the service does not accept at all: 550 5.7.708."""

    throttled_ips: tuple[str, ...] = ()
    """Public IPs temporarily restricted while their activity is evaluated: 451 4.7.500-699."""

    suspicious_ips: tuple[str, ...] = ()
    """Public IPs temporarily blocked for suspicious activity: 451 4.7.850-899."""

    ip_block_list: tuple[str, ...] = Field(default=(), alias="IPBlockList")
    """The tenant's own connection filter block list (``Set-HostedConnectionFilterPolicy
    -IPBlockList``): mail to the tenant's domains gets 550 5.7.513."""

    tenant_over_threshold: bool = False
    """The tenant's outbound mail is blocked for exceeding its threshold: mail a connector
    attributes to the tenant gets 550 5.7.705."""

    reject_unregistered_sender_domains: bool = False
    """Relay through an inbound connector from a sender domain that is no accepted domain of
    the tenant gets 550 5.7.750 (off by default: the lab does not know when Microsoft enforces
    it for a given tenant)."""

    @field_validator(
        "banned_senders", "not_accepted_ips", "throttled_ips", "suspicious_ips", "ip_block_list"
    )
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            ipaddress.ip_network(item, strict=False)
        return value


class ExternalDomain(_Section):
    """A domain outside the tenant (the internet, or another Microsoft 365 tenant)."""

    name: str
    """The name other settings and --set selectors use."""

    mailboxes: tuple[Address, ...] = ()
    hosted_in_microsoft365: bool = Field(default=False, alias="HostedInMicrosoft365")
    """Another Microsoft 365 tenant: direct send may reach it."""

    mail_enabled_subscriptions: bool = True
    """False: a Microsoft 365 tenant with no mail-enabled subscription holds the domain, so
    anonymous mail to it gets ``550 4.4.4 … ATTR5``."""


class DelegatedGrant(_Section):
    scope: str
    admin_consented: bool = True


class App(_Section):
    """An Entra ID app registration (lab copy) and what it has been granted."""

    display_name: str
    app_id: str = Field(alias="AppId")
    client_secret: str | None = None
    client_secret_end_date_time: datetime | None = None
    """When the client secret expires (Graph ``passwordCredential.endDateTime``); unset: never."""

    public_client: bool = False
    redirect_uris: tuple[str, ...] = ()
    delegated_permissions: tuple[DelegatedGrant, ...] = ()
    application_permissions: tuple[str, ...] = ()
    """App roles on Office 365 Exchange Online, e.g. ``SMTP.SendAsApp``."""

    def client_secret_valid_at(self, now: datetime) -> bool:
        """The client secret has not reached its end date (the token service and ACS agree)."""
        end = self.client_secret_end_date_time
        return end is None or now < end


class HighVolumeEmail(_Section):
    """High Volume Email (HVE) as the service runs it for the whole tenant.

    Microsoft has no parameter names for these: they are the lab's, after the
    troubleshooting and OAuth pages for HVE (docs/guide/moving-off-basic-auth.md).
    """

    basic_auth_retired_from: date = date(2028, 9, 1)
    """From this lab date an HVE account's basic (LOGIN) sign-in is refused: Microsoft supports
    basic auth for HVE "until September 2028" (LIKELY); the exact day is CHOSEN."""

    app_access_delay_seconds: int = Field(default=300, ge=0)
    """``Add-HVEAppAccess`` changes take effect "in up to 5 minutes"; the lab waits exactly this."""

    max_recipients_per_message: int = Field(default=50, ge=1)
    """HVE takes at most 50 recipients per message (documented)."""

    max_message_size: int = Field(default=10_485_760, ge=1024)
    """Bytes an HVE message may have, headers and encoded attachments included: 10 MB
    (LIKELY: reported by third parties, not on Microsoft's HVE pages)."""

    token_expiring_soon_seconds: int = Field(default=60, ge=0)
    """A bearer token with less than this left gets ``535 5.7.142`` (threshold CHOSEN)."""


class HveAccount(_Section):
    """An HVE account: a mail user, not a mailbox (``New-MailUser -HVEAccount``).

    It needs no licence and has no Sent Items. ``BillingPolicyId`` is what
    ``Set-HVEAccountBillingPolicy -BillingPolicyId`` attached; ``AllowedAppIds``
    is the list ``Add-HVEAppAccess -AppIds`` keeps (at most 10).
    """

    primary_smtp_address: Address
    display_name: str = ""
    password: str | None = None
    """The sign-in password (``New-MailUser -Password``; lab only)."""

    email_addresses: tuple[Address, ...] = ()
    """Proxy addresses: the account may send from any of its addresses."""

    allow_basic_auth_smtp: bool | None = None
    """``AllowBasicAuthSmtp`` of the authentication policy assigned to the account
    (``Set-User -AuthenticationPolicy``); unset: the organization's default policy."""

    billing_policy_id: str | None = None
    """The pay-as-you-go billing policy (``Set-HVEAccountBillingPolicy``); unset: the account's
    ``BillingPolicyStatus`` is ``NoProperBillingPolicyStored`` and it cannot send."""

    allowed_app_ids: tuple[str, ...] = Field(default=(), alias="AllowedAppIds", max_length=10)
    """Entra app ids allowed to sign in as this account with OAuth (``Add-HVEAppAccess``)."""

    app_access_changed: datetime | None = None
    """When ``AllowedAppIds`` last changed; the change takes effect
    ``HighVolumeEmail.AppAccessDelaySeconds`` later (unset: long ago)."""

    @field_validator("primary_smtp_address", "email_addresses")
    @classmethod
    def _norm_addresses(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        if isinstance(value, str):
            return _lower(value)
        return tuple(_lower(v) for v in value)

    def addresses(self) -> set[str]:
        return {self.primary_smtp_address, *self.email_addresses}


ACS_SENDER_ROLES = ("Communication and Email Service Owner", "Owner", "Contributor")
"""Azure roles that carry Microsoft.Communication/CommunicationServices/Read+Write and
EmailServices/write (the ACS SMTP authentication page asks for the first or a custom role)."""


class AcsRoleAssignment(_Section):
    """An Azure role assignment on the resource (``New-AzRoleAssignment``)."""

    application_id: str = Field(alias="ApplicationId")
    """The Entra app (service principal) the role is given to."""

    role_definition_name: str = "Communication and Email Service Owner"


class CommunicationService(_Section):
    """An Azure Communication Services resource with Email linked (the ACS SMTP relay)."""

    name: str
    """The resource name (``contoso-acs``); the older SMTP username form starts with it."""

    linked_domains: tuple[str, ...] = ()
    """Email domains connected to the resource (``[[EmailDomain]]`` names)."""

    role_assignment: tuple[AcsRoleAssignment, ...] = ()
    messages_per_minute: int = Field(default=30, ge=1)
    """Default email sending limit (raised by a support request)."""

    messages_per_hour: int = Field(default=100, ge=1)
    """Default email sending limit (raised by a support request)."""

    max_recipients_per_message: int = Field(default=50, ge=1)
    """ACS Email's "number of recipients in email" limit (service limits page)."""

    max_message_size: int = Field(default=10_485_760, ge=1024)
    """ACS Email's "total email request size (including attachments)": 10 MB (service limits
    page; up to 30 MB on a support request). Exchange Online's own limits do not apply."""

    @field_validator("linked_domains")
    @classmethod
    def _norm_domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_lower(d) for d in value)

    def app_has_role(self, app_id: str) -> bool:
        return any(
            r.application_id.lower() == app_id.lower()
            and r.role_definition_name in ACS_SENDER_ROLES
            for r in self.role_assignment
        )


class EmailDomain(_Section):
    """A domain of an Email Communication Services resource and its MailFrom addresses."""

    name: str
    domain_management: Literal["AzureManaged", "CustomerManaged"] = "CustomerManaged"
    verified: bool = True
    """Domain, SPF and DKIM verified; an unverified domain cannot send."""

    sender_usernames: tuple[str, ...] = ("DoNotReply",)
    """MailFrom local parts (sender username resources): ``DoNotReply`` -> DoNotReply@domain."""

    @field_validator("name")
    @classmethod
    def _norm_name(cls, value: str) -> str:
        return _lower(value)

    def mail_from_addresses(self) -> set[str]:
        return {f"{u.lower()}@{self.name}" for u in self.sender_usernames}


class SmtpUsername(_Section):
    """An SMTP Username resource of a Communication Services resource (``communication/SmtpUsername``).

    ``Username`` is email-shaped (then its domain must be one of the resource's
    linked domains) or freeform; the password is the client secret of
    ``EntraApplicationId``, checked against the lab token service's apps.
    """

    username: str
    communication_service: str
    """The ``[[CommunicationService]]`` name this username signs in to."""

    entra_application_id: str = Field(alias="EntraApplicationId")
    tenant_id: str = Field(default="9188040d-6c67-4c5b-b112-36a304b66dad", alias="TenantId")


class ServicePrincipal(_Section):
    """``New-ServicePrincipal`` in Exchange plus the mailbox permissions given to it."""

    app_id: str = Field(alias="AppId")
    object_id: str = Field(alias="ObjectId")
    mailbox_permissions: tuple[Address, ...] = ()
    """Mailboxes it holds FullAccess (or SendAs) on: whom app-only SMTP may send as."""


class TokenLifetimePolicy(_Section):
    """How long the lab token service's tokens and device codes live.

    Names follow Entra's configurable token lifetime policy where one exists
    (AccessTokenLifetime, MaxInactiveTime, MaxAgeMultiFactor); the device-code
    values are what ``/devicecode`` returns. Entra randomises access-token
    lifetimes between 60 and 90 minutes: the lab uses one fixed value (CHOSEN)
    so replays are exact. All values are seconds.
    """

    access_token_lifetime: int = Field(default=3600, ge=60, le=86_400)
    """``exp - iat`` of every access token (Entra: 60-90 minutes; CHOSEN 3600)."""

    max_inactive_time: int = Field(default=90 * 86_400, ge=60)
    """A refresh token unused this long is refused (AADSTS700082); Entra: 90 days."""

    max_age_multi_factor: int | None = Field(default=None, ge=60)
    """A refresh token older than this is refused whatever its use; unset: until revoked."""

    device_code_lifetime: int = Field(default=900, ge=10)
    """``expires_in`` of /devicecode: after it the poll gets expired_token (AADSTS70020)."""

    device_code_interval: int = Field(default=5, ge=0)
    """``interval`` of /devicecode: polling faster gets slow_down."""


class DnsZone(_Section):
    """Records the lab DNS serves beyond the service hosts: SPF, DMARC, MX, A."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    a: dict[str, tuple[str, ...]] = Field(default_factory=dict, alias="A")
    mx: dict[str, tuple[str, ...]] = Field(default_factory=dict, alias="MX")
    txt: dict[str, tuple[str, ...]] = Field(default_factory=dict, alias="TXT")

    @field_validator("a", "mx", "txt", mode="before")
    @classmethod
    def _listify(cls, value: object) -> object:
        if isinstance(value, dict):
            return {_lower(str(k)): (v,) if isinstance(v, str) else v for k, v in value.items()}
        return value


class LabSettings(_Section):
    """Lab-only knobs: the clock, the seed, how replies look. Not Microsoft settings."""

    as_of: datetime | None = None
    """The lab date and time; unset means the real current time."""

    seed: int = 1
    """Seeds every random choice (front-end names, reply ids, message ids): same seed, same bytes."""

    address_range: str = "127.10.0.0/24"
    """Loopback range holding one address per simulated host."""

    api_address: str | None = None
    """Where the lab API listens. Unset: the lab's API address when that is a loopback
    address, else 127.0.0.1. Set it (``0.0.0.0`` for every interface) only on a network
    you trust: see docs/guide/security.md."""

    default_public_ip: IPv4 = Field(default="198.51.100.250", alias="DefaultPublicIp")
    """The public IP for a source address that is in no site."""

    reply_trailer: Literal["modern", "classic"] = "modern"
    """modern: ``[host 2024-…Z 08DC…]`` (2023 on); classic: ``[host]`` (up to 2022), and the
    older wordings where the catalog has one (``530 5.7.57 SMTP; Client was not authenticated
    to send anonymous mail during MAIL FROM``, ``554 5.2.0 …SendAsDenied…``, the 2021
    ``432 4.3.2 … concurrent_sending``)."""

    wrong_password_reply: Literal["5.7.3", "5.7.139"] = "5.7.3"
    """Which documented wording a wrong password gets: classic 5.7.3 or newer 5.7.139."""

    unknown_command_delay: float = Field(default=5.0, ge=0)
    """The tarpit before ``500 5.3.3`` (about 5 s seen in real logs)."""

    port_465_hold: float = Field(default=900.0, ge=0)
    """The longest a silent connection to 465 is held; the client's own timeout ends it first
    (Microsoft drops the packets, so a client always gives up before any answer)."""

    min_data_rate: int = Field(default=1024, ge=0)
    """Bytes a second a DATA or BDAT body must average over each ``DataRateWindow``; a
    slower client gets 421 4.4.1 and is closed (0: no minimum; lab setting, CHOSEN)."""

    data_rate_window: float = Field(default=30.0, gt=0)
    """Seconds over which ``MinDataRate`` is measured."""

    idle_timeout: float = Field(default=600.0, gt=0)
    """Seconds of silence before the server closes a session (the real value is UNKNOWN: CHOSEN)."""

    legacy_tls_reply_code: Literal[421, 535, 550] = 535
    """The basic code of the 5.7.67 legacy-TLS refusal (UNKNOWN at Microsoft: CHOSEN)."""

    capture: bool = False
    """Record every SMTP session as DATA/captures/<session id>.pcap with its TLS secrets
    (<session id>.keys, NSS key log) for Wireshark, tshark and ``exolab doctor``."""

    @field_validator("address_range")
    @classmethod
    def _address_range(cls, value: str) -> str:
        # Every simulated host takes a fixed index in the range (the DNS server index 53),
        # so the range must be an IPv4 network with room for at least 64 addresses.
        try:
            network = ipaddress.IPv4Network(value, strict=False)
        except ValueError:
            raise PydanticCustomError(
                "address_range", "an IPv4 network like 127.10.0.0/24"
            ) from None
        if network.prefixlen > 26:
            raise PydanticCustomError("address_range", "a network of /26 or larger (64 addresses)")
        return value

    @field_validator("api_address")
    @classmethod
    def _api_address(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ipaddress.ip_address(value)
            except ValueError:
                raise PydanticCustomError(
                    "ip_address", "an IP address like 127.0.0.1 or 0.0.0.0"
                ) from None
        return value


class Tenant(_Section):
    """The whole simulated organization."""

    tenant: TenantInfo = Field(default_factory=TenantInfo)
    lab: LabSettings = Field(default_factory=LabSettings)
    transport_config: TransportConfig = Field(default_factory=TransportConfig)
    organization_config: OrganizationConfig = Field(default_factory=OrganizationConfig)
    security_defaults: SecurityDefaults = Field(default_factory=SecurityDefaults)
    authentication_policy: AuthenticationPolicy = Field(default_factory=AuthenticationPolicy)
    password_rule_settings: PasswordRuleSettings = Field(default_factory=PasswordRuleSettings)
    conditional_access_policy: tuple[ConditionalAccessPolicy, ...] = ()
    basic_auth_retirement: BasicAuthRetirement = Field(default_factory=BasicAuthRetirement)
    limits: Limits = Field(default_factory=Limits)
    spam_filter: SpamFilter = Field(default_factory=SpamFilter)
    mailbox: tuple[Mailbox, ...] = ()
    site: tuple[Site, ...] = ()
    inbound_connector: tuple[InboundConnector, ...] = ()
    blocklist: Blocklist = Field(default_factory=Blocklist)
    external_domain: tuple[ExternalDomain, ...] = ()
    app: tuple[App, ...] = ()
    service_principal: tuple[ServicePrincipal, ...] = ()
    high_volume_email: HighVolumeEmail = Field(default_factory=HighVolumeEmail)
    hve_account: tuple[HveAccount, ...] = Field(default=(), alias="HveAccount")
    communication_service: tuple[CommunicationService, ...] = ()
    email_domain: tuple[EmailDomain, ...] = ()
    smtp_username: tuple[SmtpUsername, ...] = ()
    token_lifetime_policy: TokenLifetimePolicy = Field(default_factory=TokenLifetimePolicy)
    dns: DnsZone = Field(default_factory=DnsZone)
    fault: tuple[Fault, ...] = ()
    """Scripted failures (lab setting, ``[[Fault]]``): see docs/guide/faults.md."""

    @model_validator(mode="after")
    def _unique(self) -> Tenant:
        seen: set[str] = set()
        for mbx in self.mailbox:
            for addr in mbx.addresses():
                if addr in seen:
                    raise ValueError(f"address {addr} belongs to more than one mailbox")
                seen.add(addr)
        names = [s.name for s in self.site]
        if len(names) != len(set(names)):
            raise ValueError("site names must be unique")
        faults = [f.name for f in self.fault]
        if len(faults) != len(set(faults)):
            raise ValueError("fault names must be unique")
        return self

    @model_validator(mode="after")
    def _acs_links(self) -> Tenant:
        """Every SMTP Username names a resource; an email-shaped one uses a linked domain."""
        for entry in self.smtp_username:
            resource = self.find_communication_service(entry.communication_service)
            if resource is None:
                raise ValueError(
                    f"SmtpUsername {entry.username}: no CommunicationService "
                    f"{entry.communication_service!r}"
                )
            if "@" in entry.username:
                domain = entry.username.rsplit("@", 1)[1].lower()
                if domain not in resource.linked_domains:
                    raise ValueError(
                        f"SmtpUsername {entry.username}: an email-format username must use one of "
                        f"{resource.name}'s linked domains ({', '.join(resource.linked_domains)})"
                    )
        return self

    # -- lookups the rules use -------------------------------------------------

    def find_mailbox(self, address: str) -> Mailbox | None:
        """The mailbox that owns ``address`` (primary or proxy), case-insensitively."""
        return _owner_of(self.mailbox, address)

    def is_accepted_domain(self, address_or_domain: str) -> bool:
        domain = address_or_domain.rsplit("@", 1)[-1].strip().lower()
        return domain in self.tenant.accepted_domains

    def site_for_source(self, source: str) -> Site | None:
        """The site whose ``Source`` is ``source``, else the longest ``SourcePrefixes`` match."""
        for site in self.site:
            if site.source == source:
                return site
        best: tuple[int, Site] | None = None
        for site in self.site:
            length = site.prefix_length_for(source)
            if length is not None and (best is None or length > best[0]):
                best = (length, site)
        return best[1] if best else None

    def public_ip_for(self, source: str) -> str:
        """The public IP the real service would see for a lab source address (the NAT table)."""
        site = self.site_for_source(source)
        return site.public_ip if site else self.lab.default_public_ip

    def smtp_auth_disabled_for(self, mailbox: Mailbox) -> tuple[bool, Literal["Tenant", "Mailbox"]]:
        """Whether SMTP AUTH is off for ``mailbox``, and which switch decided it."""
        if mailbox.smtp_client_authentication_disabled is not None:
            return mailbox.smtp_client_authentication_disabled, "Mailbox"
        return self.transport_config.smtp_client_authentication_disabled, "Tenant"

    def find_app(self, app_id: str) -> App | None:
        for app in self.app:
            if app.app_id.lower() == app_id.lower():
                return app
        return None

    def find_service_principal(self, app_id: str) -> ServicePrincipal | None:
        for sp in self.service_principal:
            if sp.app_id.lower() == app_id.lower():
                return sp
        return None

    def find_hve_account(self, address: str) -> HveAccount | None:
        """The HVE account that owns ``address`` (primary or proxy), case-insensitively."""
        return _owner_of(self.hve_account, address)

    def find_communication_service(self, name: str) -> CommunicationService | None:
        for resource in self.communication_service:
            if resource.name.lower() == name.strip().lower():
                return resource
        return None

    def find_email_domain(self, name: str) -> EmailDomain | None:
        for domain in self.email_domain:
            if domain.name == name.strip().lower():
                return domain
        return None

    def find_smtp_username(self, username: str) -> SmtpUsername | None:
        """The SMTP Username resource a client's AUTH LOGIN user names: the resource's own
        username, or the older ``<resource>.<appId>.<tenantId>`` form."""
        wanted = username.strip().lower()
        for entry in self.smtp_username:
            if entry.username.lower() == wanted:
                return entry
        for entry in self.smtp_username:
            legacy = f"{entry.communication_service}.{entry.entra_application_id}.{entry.tenant_id}"
            if legacy.lower() == wanted:
                return entry
        return None


class _HasAddresses(Protocol):
    def addresses(self) -> set[str]: ...


_Owner = TypeVar("_Owner", bound=_HasAddresses)

_ADDRESS_INDEXES: dict[int, tuple[tuple[object, ...], dict[str, object]]] = {}
"""Address to owner, one index per tuple of owners (a tenant's mailboxes, its HVE accounts).

A session looks its mailbox up more than a dozen times, and a tenant may hold
thousands: read in a line, that was most of a session's time. Tenants are
frozen, so a changed list of mailboxes is a new tuple; an index is found by
the tuple's identity and keeps the tuple, so no other tuple can take its id.
"""
_INDEXES_KEPT = 16
"""Indexes kept at once (a lab holds one tenant at a time; a test process makes many)."""
_INDEXES_LOCK = threading.Lock()


def _owner_of(owners: tuple[_Owner, ...], address: str) -> _Owner | None:
    """The first of ``owners`` with ``address`` among its (lower-case) addresses."""
    entry = _ADDRESS_INDEXES.get(id(owners))
    if entry is None or entry[0] is not owners:
        index: dict[str, object] = {}
        for owner in owners:
            for known in owner.addresses():
                index.setdefault(known, owner)  # the first owner wins, as a search in order
        entry = (owners, index)
        with _INDEXES_LOCK:  # a lab's threads may look up at once
            while len(_ADDRESS_INDEXES) >= _INDEXES_KEPT:
                del _ADDRESS_INDEXES[next(iter(_ADDRESS_INDEXES))]
            _ADDRESS_INDEXES[id(owners)] = entry
    found = entry[1].get(address.strip().lower())
    return cast("_Owner | None", found)
