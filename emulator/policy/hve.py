"""High Volume Email (smtp.hve.mx.microsoft, smtp-hve.office365.com): the rules, per stage.

HVE is Exchange Online, but not client submission: its accounts are mail
users (``New-MailUser -HVEAccount``), not mailboxes, and Microsoft's
troubleshooting page lists what differs (docs/guide/moving-off-basic-auth.md):

- basic auth works even when ``TransportConfig.SmtpClientAuthenticationDisabled``
  is true ("due to the use of a custom endpoint"); it needs ``AllowBasicAuthSmtp``
  in the authentication policy that applies and security defaults off, and it
  ends in September 2028 (``HighVolumeEmail.BasicAuthRetiredFrom``);
- OAuth works for apps on the account's allowed list (``Add-HVEAppAccess``),
  a change taking effect after ``HighVolumeEmail.AppAccessDelaySeconds``;
- internal recipients only, at most 50 per message, 10 MB a message
  (``HighVolumeEmail.MaxMessageSize``), a billing policy attached, and the sender
  must be one of the account's own addresses;
- the header checks of Exchange Online's other front ends (``content``: header
  size 552 5.3.4, a compliant From 550 5.7.512);
- nothing sent here counts towards a mailbox's or the tenant's rate limits
  (this module keeps no counters, and the front end shares none).

Read top to bottom: the first rule that returns a verdict decides.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from exolab.emulator.policy import auth, content, limits, sender, sequence, tls
from exolab.emulator.policy.facts import (
    AuthCommand,
    Credentials,
    DataCommand,
    EndOfData,
    MailCommand,
    RcptCommand,
    SessionFacts,
)
from exolab.emulator.policy.verdict import Rule, Verdict, evaluate
from exolab.emulator.policy.xoauth2 import _check_claims, _Fail, _verified_claims
from exolab.emulator.replies import catalog
from exolab.emulator.replies.model import Reply
from exolab.emulator.tenant.model import HveAccount, Tenant

HOSTS = ("smtp.hve.mx.microsoft", "smtp-hve.office365.com")
"""The recommended host first; the second "will be deprecated in the future"."""


def _account(session: SessionFacts, address: str | None) -> HveAccount | None:
    return session.tenant.find_hve_account(address) if address else None


# -- AUTH LOGIN ---------------------------------------------------------------------------


def basic_auth_retired(creds: Credentials) -> Verdict | None:
    until = creds.session.tenant.high_volume_email.basic_auth_retired_from
    if creds.session.now.date() >= until:
        return Verdict(
            catalog.HVE_BASIC_RETIRED,
            "hve_basic_auth_retired",
            f"HVE basic auth ended on {until.isoformat()} (lab date "
            f"{creds.session.now.date().isoformat()}): use OAuth",
        )
    return None


def credentials_valid(creds: Credentials) -> Verdict | None:
    account = _account(creds.session, creds.username)
    if account is None:
        return Verdict(
            catalog.HVE_AUTH_FAILED,
            "hve_credentials_valid",
            f"{creds.username!r} is no HVE account (a mailbox cannot use the HVE endpoint)",
        )
    if account.password is None or creds.password != account.password:
        return Verdict(
            catalog.HVE_AUTH_FAILED,
            "hve_credentials_valid",
            f"wrong password for HVE account {account.primary_smtp_address}",
        )
    return None


def basic_auth_allowed_by_policy(creds: Credentials) -> Verdict | None:
    """``AllowBasicAuthSmtp`` of the account's own policy, else of the organization's default."""
    tenant = creds.session.tenant
    account = _account(creds.session, creds.username)
    own = account.allow_basic_auth_smtp if account is not None else None
    allowed = tenant.authentication_policy.allow_basic_auth_smtp if own is None else own
    if not allowed:
        where = "the account's authentication policy" if own is not None else "the default policy"
        return Verdict(
            catalog.HVE_AUTH_ORG_CONFIG,
            "hve_basic_auth_allowed_by_policy",
            f"AllowBasicAuthSmtp is false in {where}",
        )
    return None


def security_defaults_off(creds: Credentials) -> Verdict | None:
    if creds.session.tenant.security_defaults.is_enabled:
        return Verdict(
            catalog.HVE_AUTH_ORG_CONFIG,
            "hve_security_defaults_off",
            "SecurityDefaults.IsEnabled: HVE basic auth needs security defaults off",
        )
    return None


AUTH_COMMAND_RULES: tuple[Rule[AuthCommand], ...] = (
    sequence.require_ehlo_before_auth,
    sequence.reject_second_auth,
    tls.require_tls_before_auth,
    auth.reject_unadvertised_mechanism,
)

BASIC_CREDENTIAL_RULES: tuple[Rule[Credentials], ...] = (
    basic_auth_retired,
    auth.account_not_locked,
    credentials_valid,
    basic_auth_allowed_by_policy,
    security_defaults_off,
)
"""No ``smtp_auth_enabled``: the SMTP AUTH switches do not apply to the HVE endpoint."""


def check_auth_command(cmd: AuthCommand) -> Verdict | None:
    for rule in AUTH_COMMAND_RULES:
        verdict = rule(cmd)
        if verdict is not None:
            return verdict
    return None


def check_basic_credentials(creds: Credentials) -> Verdict:
    account = _account(creds.session, creds.username)
    identity = account.primary_smtp_address if account else creds.username
    return evaluate(BASIC_CREDENTIAL_RULES, creds, auth.auth_success(identity, creds.mechanism))


# -- AUTH XOAUTH2 -------------------------------------------------------------------------


def _argument(reply: Reply, reason: str) -> tuple[Verdict, None]:
    return Verdict(reply, "hve_xoauth2_argument", reason), None


def parse_argument(response: str) -> tuple[Verdict, None] | tuple[str, str]:
    """``(user, token)`` of a XOAUTH2 client response, or the 501 5.5.12x verdict."""
    try:
        raw = base64.b64decode(response.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return _argument(catalog.HVE_XOAUTH2_BASE64, "the response is not base64 UTF-8")
    fields: dict[str, str] = {}
    for part in raw.split("\x01"):
        key, sep, value = part.partition("=")
        if sep:
            fields[key.strip().lower()] = value
    if not fields:
        return _argument(catalog.HVE_XOAUTH2_FORMAT, "no key=value fields")
    user = fields.get("user", "").strip()
    if not user:
        return _argument(catalog.HVE_XOAUTH2_NO_USER, "no user= field")
    if "auth" not in fields:
        return _argument(catalog.HVE_XOAUTH2_NO_AUTH, "no auth= field")
    scheme, _, token = fields["auth"].partition(" ")
    if scheme.lower() != "bearer":
        return _argument(catalog.HVE_XOAUTH2_NO_BEARER, f"auth scheme {scheme!r}, not Bearer")
    if not token.strip():
        return _argument(catalog.HVE_XOAUTH2_NO_TOKEN, "Bearer without a token")
    return user, token.strip()


def _token_refusal(reply: Reply, check: str, note: str) -> tuple[Verdict, None]:
    return Verdict(reply, "hve_xoauth2_token", f"{check}: {note}"), None


def app_access_effective(tenant: Tenant, account: HveAccount, app_id: str, now_ts: float) -> bool:
    """The app is on the allowed list, and the last change to the list has taken effect."""
    if app_id.lower() not in {a.lower() for a in account.allowed_app_ids}:
        return False
    changed = account.app_access_changed
    if changed is None:
        return True
    delay = timedelta(seconds=tenant.high_volume_email.app_access_delay_seconds)
    return (changed + delay).timestamp() <= now_ts


def check_xoauth2(
    session: SessionFacts, keys: Mapping[str, RSAPublicKey], response: str
) -> tuple[Verdict, str | None]:
    """The AUTH verdict for one HVE XOAUTH2 response, and the account's address on success."""
    parsed = parse_argument(response)
    if isinstance(parsed[0], Verdict):
        return parsed[0], None
    user, token = parsed
    assert isinstance(user, str) and isinstance(token, str)
    tenant, now = session.tenant, session.now
    try:
        claims = _verified_claims(keys, token)
        _check_claims(tenant, now, claims)
    except _Fail as failed:
        reply = catalog.HVE_TOKEN_EXPIRED if failed.check == "token.expired" else None
        return _token_refusal(reply or catalog.HVE_TOKEN_INVALID, failed.check, failed.note)
    exp = int(claims.get("exp", 0))
    left = exp - now.timestamp()
    if left <= 0:
        return _token_refusal(catalog.HVE_TOKEN_EXPIRED, "token.expired", f"exp {exp} has passed")
    if left < tenant.high_volume_email.token_expiring_soon_seconds:
        return _token_refusal(
            catalog.HVE_TOKEN_EXPIRING, "token.expiring", f"{int(left)} s left: get a new token"
        )
    account = tenant.find_hve_account(user)
    if account is None:
        return _token_refusal(
            catalog.HVE_TOKEN_INVALID, "account.unknown", f"{user} is no HVE account"
        )
    app_id = str(claims.get("appid") or claims.get("azp") or "")
    if not app_access_effective(tenant, account, app_id, now.timestamp()):
        return _token_refusal(
            catalog.HVE_TOKEN_INVALID,
            "app.not_allowed",
            f"app {app_id} is not on {account.primary_smtp_address}'s allowed apps "
            "(Add-HVEAppAccess), or the change has not taken effect yet",
        )
    identity = account.primary_smtp_address
    return auth.auth_success(identity, "XOAUTH2"), identity


# -- MAIL / RCPT / DATA / end of data ---------------------------------------------------------


def billing_policy_attached(cmd: MailCommand) -> Verdict | None:
    account = _account(cmd.session, cmd.session.identity)
    if account is not None and not account.billing_policy_id:
        return Verdict(
            catalog.HVE_NO_BILLING_POLICY,
            "hve_billing_policy_attached",
            f"{account.primary_smtp_address} has no billing policy (Set-HVEAccountBillingPolicy)",
            {"user": account.primary_smtp_address, "status": "NoProperBillingPolicyStored"},
        )
    return None


def size_parameter_within_hve_limit(cmd: MailCommand) -> Verdict | None:
    limit = cmd.session.tenant.high_volume_email.max_message_size
    if cmd.size is not None and cmd.size > limit:
        return Verdict(
            catalog.HVE_MAIL_SIZE_EXCEEDED,
            "hve_size_parameter_within_limit",
            f"SIZE={cmd.size} is over HVE's {limit} bytes (HighVolumeEmail.MaxMessageSize)",
        )
    return None


def sender_is_account(cmd: MailCommand) -> Verdict | None:
    account = _account(cmd.session, cmd.session.identity)
    if account is None or cmd.address is None:
        return None
    if cmd.address.lower() not in account.addresses():
        return Verdict(
            catalog.HVE_SENDER_NOT_ACCOUNT,
            "hve_sender_is_account",
            f"MAIL FROM {cmd.address} is not an address of {account.primary_smtp_address}",
            {"sender": cmd.address, "user": account.primary_smtp_address},
        )
    return None


def internal_recipients_only(cmd: RcptCommand) -> Verdict | None:
    address = cmd.address or ""
    if not cmd.session.tenant.is_accepted_domain(address):
        return Verdict(
            catalog.HVE_EXTERNAL_RECIPIENT,
            "hve_internal_recipients_only",
            f"{address} is outside the tenant's accepted domains: HVE sends internally only",
        )
    return None


def recipient_exists(cmd: RcptCommand) -> Verdict | None:
    """Directory-based edge blocking, as for any mail into the tenant."""
    tenant = cmd.session.tenant
    address = cmd.address or ""
    if tenant.tenant.directory_based_edge_blocking and tenant.find_mailbox(address) is None:
        return Verdict(catalog.RCPT_DBEB, "hve_recipient_exists", f"no mailbox {address}")
    return None


def recipients_per_message(cmd: RcptCommand) -> Verdict | None:
    limit = cmd.session.tenant.high_volume_email.max_recipients_per_message
    if cmd.session.rcpt_count >= limit:
        return Verdict(
            catalog.HVE_TOO_MANY_RECIPIENTS,
            "hve_recipients_per_message",
            f"recipient {cmd.session.rcpt_count + 1} is over HVE's {limit} per message",
        )
    return None


def message_size_within_hve_limit(eod: EndOfData) -> Verdict | None:
    limit = eod.session.tenant.high_volume_email.max_message_size
    if eod.size > limit:
        return Verdict(
            catalog.HVE_MESSAGE_TOO_BIG,
            "hve_message_size_within_limit",
            f"{eod.size} bytes is over HVE's {limit} (HighVolumeEmail.MaxMessageSize)",
        )
    return None


def header_from_is_account(eod: EndOfData) -> Verdict | None:
    account = _account(eod.session, eod.session.identity)
    if account is None:
        return None
    foreign = [a for a in eod.header_from if a.lower() not in account.addresses()]
    if foreign or not eod.header_from:
        shown = ", ".join(foreign) or "(none)"
        return Verdict(
            catalog.HVE_HEADER_FROM,
            "hve_header_from_is_account",
            f"From: {shown} is not an address of {account.primary_smtp_address}",
            {"sender": shown, "user": account.primary_smtp_address},
        )
    return None


MAIL_RULES: tuple[Rule[MailCommand], ...] = (
    sequence.require_hello_before_mail,
    sender.require_authentication,
    sequence.reject_nested_mail,
    sequence.require_valid_mail_syntax,
    limits.size_parameter_within_limit,
    size_parameter_within_hve_limit,
    billing_policy_attached,
    sender_is_account,
)

RCPT_RULES: tuple[Rule[RcptCommand], ...] = (
    sequence.require_mail_before_rcpt,
    sequence.require_valid_rcpt_syntax,
    internal_recipients_only,
    recipients_per_message,
    recipient_exists,
)

DATA_RULES: tuple[Rule[DataCommand], ...] = (
    sequence.require_mail_before_data,
    sequence.require_rcpt_before_data,
)

EOD_RULES: tuple[Rule[EndOfData], ...] = (
    limits.message_size_within_limit,
    message_size_within_hve_limit,
    content.header_size_within_limit,
    content.header_from_compliant,
    header_from_is_account,
)
"""Exchange Online's header checks come before HVE's own From rule: a From that is missing or
no address gets 5.7.512 as on smtp.office365.com, a well-formed foreign one 5.6.241."""


def check_mail(cmd: MailCommand) -> Verdict:
    ok = Verdict(catalog.MAIL_OK, "mail_ok", f"sender {cmd.address or '<>'}")
    return evaluate(MAIL_RULES, cmd, ok)


def check_rcpt(cmd: RcptCommand) -> Verdict:
    ok = Verdict(catalog.RCPT_OK, "rcpt_ok", f"recipient {cmd.address}")
    return evaluate(RCPT_RULES, cmd, ok)


def check_data(cmd: DataCommand) -> Verdict:
    return evaluate(DATA_RULES, cmd, Verdict(catalog.DATA_START, "data_ok", "go ahead"))


def check_end_of_data(eod: EndOfData) -> Verdict:
    reason = f"{eod.size} bytes for {len(eod.recipients)} internal recipient(s) via HVE"
    return evaluate(EOD_RULES, eod, Verdict(catalog.EOD_SUBMITTED, "submitted", reason))
