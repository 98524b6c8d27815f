"""Read the PowerShell an administrator types and turn it into tenant settings.

``exolab admin 'Set-CASMailbox -Identity scanner@contoso.com
-SmtpClientAuthenticationDisabled $false'`` must do what the cmdlet does in
Exchange Online, so a trainer can paste what Microsoft's pages say. Only
the parameters the lab models are accepted; anything else is refused with
the list of what is known, never ignored (an ignored parameter would make
the lab look configured when it is not).

PowerShell syntax read here: ``-Name value``, ``-Name:value``, a bare
``-Name`` (a switch, ``$true``), ``$true``/``$false``, quoted strings, comma
lists and whole numbers, and the identity as the first argument without its
name (``Set-CASMailbox scanner@contoso.com -SmtpClientAuthenticationDisabled
$false``): ``-Identity`` is position 1 of the Exchange cmdlets modelled here,
and Microsoft's own examples write it both ways.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from exolab.emulator.tenant import Tenant

Value = bool | int | str | tuple[str, ...]
MAX_COMMAND = 4096
"""A cmdlet line is a few hundred characters; longer is refused before it is read."""


class CmdletError(ValueError):
    """The command cannot be mapped; the message says what is known."""


@dataclass(frozen=True)
class Command:
    name: str
    parameters: dict[str, Value]
    """By lower-cased name, as PowerShell matches them."""


_TOKEN = re.compile(r"""\s*(?:"((?:[^"`]|`.)*)"|'((?:[^']|'')*)'|([^\s,]+)|(,))""")


def _tokens(text: str) -> list[tuple[str, bool]]:
    """(token, was_quoted); a comma is its own unquoted token."""
    out: list[tuple[str, bool]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise CmdletError(f"cannot read the command near {text[position : position + 20]!r}")
        double, single, bare, comma = match.groups()
        if double is not None:
            out.append((re.sub(r"`(.)", r"\1", double), True))
        elif single is not None:
            out.append((single.replace("''", "'"), True))
        elif comma is not None:
            out.append((",", False))
        else:
            out.append((bare or "", False))
        position = match.end()
    return out


def _scalar(token: str, quoted: bool) -> Value:
    if quoted:
        return token
    lowered = token.lower()
    if lowered in ("$true", "true"):
        return True
    if lowered in ("$false", "false"):
        return False
    if token.isascii() and token.isdigit():
        return int(token)
    return token


def _is_parameter(token: str, quoted: bool) -> bool:
    """``-Name`` (or ``-Name:value``), not a quoted text nor a lone ``-``."""
    return not quoted and token.startswith("-") and len(token) >= 2


def parse(text: str) -> Command:
    """``Verb-Noun -Param value …`` as a name and its parameters."""
    if len(text) > MAX_COMMAND:
        raise CmdletError(f"the command is longer than {MAX_COMMAND} characters")
    tokens = _tokens(text)
    if not tokens or tokens[0][1] or not re.fullmatch(r"[A-Za-z]+-[A-Za-z]+", tokens[0][0]):
        raise CmdletError("expected a cmdlet like Set-TransportConfig -Name value")
    name = tokens[0][0]
    parameters: dict[str, Value] = {}
    index = 1
    if index < len(tokens) and not _is_parameter(*tokens[index]):
        parameters["identity"] = _scalar(*tokens[index])  # the positional -Identity
        index += 1
    while index < len(tokens):
        token, quoted = tokens[index]
        if not _is_parameter(token, quoted):
            raise CmdletError(f"expected a -Parameter, got {token!r}")
        pname, colon, inline = token[1:].partition(":")
        index += 1
        values: list[Value] = []
        if colon and inline:
            values.append(_scalar(inline, False))
        elif index < len(tokens) and not _is_parameter(*tokens[index]):
            values.append(_scalar(*tokens[index]))
            index += 1
        while values and index + 1 < len(tokens) and tokens[index] == (",", False):
            values.append(_scalar(*tokens[index + 1]))
            index += 2
        if pname.lower() in parameters:
            raise CmdletError(f"{name}: -{pname} is given more than once")
        if not values:
            parameters[pname.lower()] = True  # a switch parameter
        elif len(values) == 1:
            parameters[pname.lower()] = values[0]
        else:
            parameters[pname.lower()] = tuple(str(v) for v in values)
    return Command(name, parameters)


def _toml(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(json.dumps(v) for v in value) + "]"
    return json.dumps(value)


def _bool(command: Command, parameter: str) -> bool:
    value = command.parameters[parameter.lower()]
    if not isinstance(value, bool):
        raise CmdletError(f"{command.name} -{parameter}: expected $true or $false, got {value!r}")
    return value


def _identity(command: Command) -> str:
    value = command.parameters.get("identity")
    if not isinstance(value, str) or not value:
        raise CmdletError(f"{command.name}: -Identity is required")
    return value


def _mailbox(tenant: Tenant, identity: str) -> str:
    wanted = identity.lower()
    for mbx in tenant.mailbox:
        names = {mbx.primary_smtp_address.lower(), *(a.lower() for a in mbx.email_addresses)}
        if wanted in names or wanted == mbx.display_name.lower():
            return mbx.primary_smtp_address
    raise CmdletError(f"no mailbox {identity!r} in the tenant")


def _connector(tenant: Tenant, identity: str) -> str:
    for connector in tenant.inbound_connector:
        if connector.name.lower() == identity.lower():
            return connector.name
    raise CmdletError(f"no inbound connector {identity!r} in the tenant")


Mapper = Callable[[Command, Tenant], list[str]]


@dataclass(frozen=True)
class Known:
    """One cmdlet the lab models: the parameters it takes, and how they map."""

    name: str
    parameters: tuple[str, ...]
    """Settable parameters; -Identity (and -Confirm) are accepted besides."""
    mapper: Mapper


def _flags(section: str, names: tuple[str, ...]) -> Mapper:
    def mapper(command: Command, tenant: Tenant) -> list[str]:
        return [
            f"{section}.{n}={_toml(_bool(command, n))}"
            for n in names
            if n.lower() in command.parameters
        ]

    return mapper


RECIPIENT_LIMIT = 1000
"""Exchange Online's organizational recipient limit: ``-MaxRecipientEnvelopeLimit`` takes a
custom value up to it, and ``Unlimited`` means it
(https://learn.microsoft.com/powershell/module/exchangepowershell/set-transportconfig)."""


def _transport_config(command: Command, tenant: Tenant) -> list[str]:
    flags = ("SmtpClientAuthenticationDisabled", "AllowLegacyTLSClients")
    out = _flags("TransportConfig", flags)(command, tenant)
    if "maxrecipientenvelopelimit" in command.parameters:
        value = command.parameters["maxrecipientenvelopelimit"]
        if isinstance(value, str) and value.lower() == "unlimited":
            value = RECIPIENT_LIMIT
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 1 <= value <= RECIPIENT_LIMIT
        ):
            raise CmdletError(
                f"{command.name} -MaxRecipientEnvelopeLimit: expected 1 to {RECIPIENT_LIMIT} "
                f"or Unlimited, got {value!r}"
            )
        out.append(f"Limits.RecipientsPerMessage={value}")
    return out


def _cas_mailbox(command: Command, tenant: Tenant) -> list[str]:
    mailbox = _mailbox(tenant, _identity(command))
    key = f"Mailbox[{mailbox}].SmtpClientAuthenticationDisabled"
    value = command.parameters["smtpclientauthenticationdisabled"]
    if isinstance(value, str) and value.lower() == "$null":
        # $null clears the mailbox's own value: it follows Set-TransportConfig again
        # (https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission)
        return [f"{key}=$null"]
    if not isinstance(value, bool):
        raise CmdletError(
            f"{command.name} -SmtpClientAuthenticationDisabled: expected $true, $false or $null "
            f"(follow the organization), got {value!r}"
        )
    return [f"{key}={_toml(value)}"]


def _auth_policy(command: Command, tenant: Tenant) -> list[str]:
    return [
        f"AuthenticationPolicy.AllowBasicAuthSmtp={_toml(_bool(command, 'AllowBasicAuthSmtp'))}"
    ]


def _security_defaults(command: Command, tenant: Tenant) -> list[str]:
    return [f"SecurityDefaults.IsEnabled={_toml(_bool(command, 'IsEnabled'))}"]


CONNECTOR_TYPES = ("OnPremises", "Partner")


def _inbound_connector(command: Command, tenant: Tenant) -> list[str]:
    name = _connector(tenant, _identity(command))
    out = []
    for parameter in ("Enabled", "RequireTls"):
        if parameter.lower() in command.parameters:
            out.append(f"InboundConnector[{name}].{parameter}={_toml(_bool(command, parameter))}")
    if "connectortype" in command.parameters:
        kind = str(command.parameters["connectortype"])
        spelled = {k.lower(): k for k in CONNECTOR_TYPES}.get(kind.lower())
        if spelled is None:
            raise CmdletError(
                f"{command.name} -ConnectorType: expected {' or '.join(CONNECTOR_TYPES)}, "
                f"got {kind!r}"
            )
        out.append(f"InboundConnector[{name}].ConnectorType={_toml(spelled)}")
    if "tlssendercertificatename" in command.parameters:
        value = command.parameters["tlssendercertificatename"]
        if not isinstance(value, str):
            raise CmdletError(f"{command.name} -TlsSenderCertificateName: expected a domain name")
        out.append(f"InboundConnector[{name}].TlsSenderCertificateName={_toml(value)}")
    if "senderipaddresses" in command.parameters:
        value = command.parameters["senderipaddresses"]
        ips = value if isinstance(value, tuple) else (str(value),)
        out.append(f"InboundConnector[{name}].SenderIPAddresses={_toml(ips)}")
    return out


def _send_as(adding: bool) -> Mapper:
    def mapper(command: Command, tenant: Tenant) -> list[str]:
        mailbox = _mailbox(tenant, _identity(command))
        trustee = command.parameters.get("trustee")
        rights = str(command.parameters.get("accessrights", "")).lower()
        if not isinstance(trustee, str) or rights != "sendas":
            raise CmdletError(f"{command.name}: expected -Trustee ADDRESS -AccessRights SendAs")
        who = _mailbox(tenant, trustee)
        current = next(
            m.send_as_trustees for m in tenant.mailbox if m.primary_smtp_address == mailbox
        )
        kept = tuple(t for t in current if t.lower() != who.lower())
        trustees = (*kept, who) if adding else kept
        return [f"Mailbox[{mailbox}].SendAsTrustees={_toml(trustees)}"]

    return mapper


MAILBOX_RIGHTS = ("FullAccess",)
"""The -AccessRights of Add-MailboxPermission the lab models."""


def _service_principal(tenant: Tenant, user: str) -> str | None:
    """The AppId of the service principal ``user`` names (its ObjectId or AppId), if any."""
    for principal in tenant.service_principal:
        if user.lower() in (principal.object_id.lower(), principal.app_id.lower()):
            return principal.app_id
    return None


def _principal_grant(tenant: Tenant, app_id: str, mailbox: str, adding: bool) -> str:
    """App-only SMTP sends as the mailboxes its service principal holds Full Access on
    (https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth)."""
    principal = tenant.find_service_principal(app_id)
    assert principal is not None
    kept = tuple(m for m in principal.mailbox_permissions if m.lower() != mailbox.lower())
    granted = (*kept, mailbox) if adding else kept
    return f"ServicePrincipal[{app_id}].MailboxPermissions={_toml(granted)}"


def _full_access(adding: bool) -> Mapper:
    """Full Access lets the trustee open the mailbox, never send as it: the lab stores the
    grant (the console and ``GET /api/tenant`` show it) and SMTP AUTH still refuses a
    message sent as the mailbox with 5.7.60 / SendAsDenied, as Exchange Online does
    (https://learn.microsoft.com/en-us/exchange/recipients-in-exchange-online/manage-permissions-for-recipients).
    """

    def mapper(command: Command, tenant: Tenant) -> list[str]:
        mailbox = _mailbox(tenant, _identity(command))
        user = command.parameters.get("user")
        value = command.parameters.get("accessrights", "")
        rights = value if isinstance(value, tuple) else (str(value),)
        if not isinstance(user, str) or [r.lower() for r in rights] != ["fullaccess"]:
            hint = (
                "; Send As is Add-RecipientPermission -Trustee ADDRESS -AccessRights SendAs"
                if any(r.lower() == "sendas" for r in rights)
                else ""
            )
            raise CmdletError(
                f"{command.name}: expected -User ADDRESS (or a service principal's id) "
                "-AccessRights FullAccess "
                f"(the lab models {', '.join(MAILBOX_RIGHTS)}){hint}"
            )
        principal = _service_principal(tenant, user)
        if principal is not None:
            return [_principal_grant(tenant, principal, mailbox, adding)]
        who = _mailbox(tenant, user)
        current = next(
            m.full_access_trustees for m in tenant.mailbox if m.primary_smtp_address == mailbox
        )
        kept = tuple(t for t in current if t.lower() != who.lower())
        trustees = (*kept, who) if adding else kept
        return [f"Mailbox[{mailbox}].FullAccessTrustees={_toml(trustees)}"]

    return mapper


KNOWN: tuple[Known, ...] = (
    Known(
        "Set-TransportConfig",
        ("SmtpClientAuthenticationDisabled", "AllowLegacyTLSClients", "MaxRecipientEnvelopeLimit"),
        _transport_config,
    ),
    Known(
        "Set-OrganizationConfig",
        ("RejectDirectSend",),
        _flags("OrganizationConfig", ("RejectDirectSend",)),
    ),
    Known("Set-CASMailbox", ("SmtpClientAuthenticationDisabled",), _cas_mailbox),
    Known("Set-AuthenticationPolicy", ("AllowBasicAuthSmtp",), _auth_policy),
    Known(
        "Update-MgPolicyIdentitySecurityDefaultEnforcementPolicy",
        ("IsEnabled",),
        _security_defaults,
    ),
    Known(
        "Set-InboundConnector",
        ("Enabled", "RequireTls", "SenderIPAddresses", "ConnectorType", "TlsSenderCertificateName"),
        _inbound_connector,
    ),
    Known("Add-RecipientPermission", ("Trustee", "AccessRights"), _send_as(True)),
    Known("Remove-RecipientPermission", ("Trustee", "AccessRights"), _send_as(False)),
    # -InheritanceType and -AutoMapping are in Microsoft's examples; they change how Outlook
    # opens the mailbox, nothing an SMTP device meets, so they are accepted and have no effect.
    Known(
        "Add-MailboxPermission",
        ("User", "AccessRights", "InheritanceType", "AutoMapping"),
        _full_access(True),
    ),
    Known(
        "Remove-MailboxPermission", ("User", "AccessRights", "InheritanceType"), _full_access(False)
    ),
)

_ALWAYS = {"identity", "confirm"}


def known_list(extra: tuple[Known, ...] = ()) -> str:
    return "; ".join(f"{k.name} -{' -'.join(k.parameters)}" for k in (*KNOWN, *extra))


def assignments(text: str, tenant: Tenant, extra: tuple[Known, ...] = ()) -> list[str]:
    """The tenant ``Key=Value`` settings that ``text`` (one cmdlet) makes.

    ``extra``: more cmdlets, built on this module by others (``emulator.admin.shell``
    adds HVE's), so this module imports none of them."""
    command = parse(text)
    known = next((k for k in (*KNOWN, *extra) if k.name.lower() == command.name.lower()), None)
    if known is None:
        raise CmdletError(f"{command.name}: not modelled by the lab; it knows: {known_list(extra)}")
    allowed = {p.lower() for p in known.parameters} | _ALWAYS
    unknown = [p for p in command.parameters if p not in allowed]
    if unknown:
        raise CmdletError(
            f"{known.name} -{unknown[0]}: not modelled by the lab; "
            f"{known.name} takes -{' -'.join(known.parameters)}"
        )
    settable = {p.lower() for p in known.parameters}
    if not settable & set(command.parameters):
        raise CmdletError(f"{known.name}: nothing to set; it takes -{' -'.join(known.parameters)}")
    return known.mapper(command, tenant)


# The readers the other cmdlet modules (mailbox, protection, identity, hve) build on.
toml_value = _toml
boolean = _bool
identity_of = _identity
mailbox_of = _mailbox
