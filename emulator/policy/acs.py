"""The Azure Communication Services Email SMTP relay (smtp.azurecomm.net): the rules, per stage.

ACS is a sending service, not the tenant's Exchange. AUTH LOGIN takes an
SMTP Username resource (freeform or email-shaped, or the older
``<resource>.<appId>.<tenantId>`` form) and, as the password, the client
secret of the Entra app the username maps to, checked against the lab token
service's own app registrations. The app needs a role on the resource that
carries the Communication and Email permissions; MAIL FROM must be a verified
MailFrom address of a domain linked to the resource. It delivers to anyone,
inside the tenant or outside it, within the resource's sending limits
(30 a minute, 100 an hour by default) and its size limits (50 recipients in an
email, 10 MB including attachments). The header block is bounded and the From
field must be well formed, as on Exchange Online's front ends (CHOSEN: ACS
publishes no reply for either). Nothing here counts towards Exchange Online's
mailbox or tenant limits.

Read top to bottom: the first rule that returns a verdict decides.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from exolab.emulator.policy import auth, sequence, tls
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
from exolab.emulator.replies import catalog
from exolab.emulator.tenant.model import CommunicationService, SmtpUsername

HOST = "smtp.azurecomm.net"
MINUTE, HOUR = 60.0, 3600.0


# -- AUTH LOGIN ---------------------------------------------------------------------------


def _username(creds: Credentials) -> SmtpUsername | None:
    return creds.session.tenant.find_smtp_username(creds.username)


def username_known(creds: Credentials) -> Verdict | None:
    if _username(creds) is None:
        return Verdict(
            catalog.ACS_UNKNOWN_USERNAME,
            "acs_username_known",
            f"{creds.username!r} maps to no SMTP Username resource "
            "(nor <resource>.<appId>.<tenantId>)",
        )
    return None


def client_secret_valid(creds: Credentials) -> Verdict | None:
    entry = _username(creds)
    assert entry is not None  # username_known runs first
    app = creds.session.tenant.find_app(entry.entra_application_id)
    if app is None or app.client_secret is None or creds.password != app.client_secret:
        return Verdict(
            catalog.ACS_AUTH_FAILED,
            "acs_client_secret_valid",
            f"the password is not the client secret of app {entry.entra_application_id}",
        )
    if not app.client_secret_valid_at(creds.session.now):
        end = app.client_secret_end_date_time
        return Verdict(
            catalog.ACS_SECRET_EXPIRED,
            "acs_client_secret_not_expired",
            f"the client secret of app {app.app_id} expired at {end.isoformat() if end else '?'} "
            "(the token service answers AADSTS7000222)",
        )
    return None


def app_has_role(creds: Credentials) -> Verdict | None:
    entry = _username(creds)
    assert entry is not None
    resource = creds.session.tenant.find_communication_service(entry.communication_service)
    if resource is None or not resource.app_has_role(entry.entra_application_id):
        return Verdict(
            catalog.ACS_APP_WITHOUT_ROLE,
            "acs_app_has_role",
            f"app {entry.entra_application_id} holds no Communication and Email role on "
            f"{entry.communication_service}",
        )
    return None


def login_only(cmd: AuthCommand) -> Verdict | None:
    """The relay offers AUTH LOGIN only: Microsoft documents an SMTP Username and the app's
    client secret, and no OAuth (XOAUTH2) sign-in, so XOAUTH2 gets what any server answers
    for a mechanism it never advertised."""
    if not cmd.known:
        return Verdict(
            catalog.AUTH_UNRECOGNIZED,
            "acs_login_only",
            f"AUTH {cmd.mechanism or '(none)'} is not offered: the ACS relay takes AUTH LOGIN "
            "with an SMTP Username and the Entra app's client secret",
        )
    return None


AUTH_COMMAND_RULES: tuple[Rule[AuthCommand], ...] = (
    sequence.require_ehlo_before_auth,
    sequence.reject_second_auth,
    tls.require_tls_before_auth,
    login_only,
)

CREDENTIAL_RULES: tuple[Rule[Credentials], ...] = (
    username_known,
    client_secret_valid,
    app_has_role,
)


def check_auth_command(cmd: AuthCommand) -> Verdict | None:
    for rule in AUTH_COMMAND_RULES:
        verdict = rule(cmd)
        if verdict is not None:
            return verdict
    return None


def check_credentials(creds: Credentials) -> tuple[Verdict, str | None]:
    """The AUTH verdict, and on success the SMTP Username the session now sends as."""
    entry = _username(creds)
    identity = entry.username if entry else None
    verdict = evaluate(CREDENTIAL_RULES, creds, auth.auth_success(identity or "", creds.mechanism))
    return verdict, identity if verdict.accepted else None


# -- sending limits ---------------------------------------------------------------------------


@dataclass
class SendingCounters:
    """Accepted messages per resource (timestamps), for the per-minute and per-hour limits."""

    _sent: dict[str, deque[float]] = field(default_factory=dict)

    def _window(self, resource: str, now: float) -> deque[float]:
        sent = self._sent.setdefault(resource, deque())
        while sent and sent[0] <= now - HOUR:
            sent.popleft()
        return sent

    def usage(self, resource: str, now: float) -> tuple[int, int]:
        """(messages in the last minute, messages in the last hour)."""
        sent = self._window(resource, now)
        return sum(1 for t in sent if t > now - MINUTE), len(sent)

    def sent(self, resource: str, now: float) -> None:
        self._window(resource, now).append(now)


@dataclass(frozen=True, slots=True)
class AcsMail:
    """MAIL FROM on the relay, with the resource's sending so far."""

    command: MailCommand
    last_minute: int = 0
    last_hour: int = 0


def resource_of(session: SessionFacts) -> CommunicationService | None:
    entry = session.tenant.find_smtp_username(session.identity) if session.identity else None
    if entry is None:
        return None
    return session.tenant.find_communication_service(entry.communication_service)


# -- MAIL / RCPT / DATA / end of data ---------------------------------------------------------


def require_authentication(mail: AcsMail) -> Verdict | None:
    if mail.command.session.identity is None:
        return Verdict(
            catalog.ACS_NOT_AUTHENTICATED, "acs_require_authentication", "MAIL without AUTH"
        )
    return None


def within_sending_limits(mail: AcsMail) -> Verdict | None:
    resource = resource_of(mail.command.session)
    if resource is None:
        return None
    if mail.last_minute >= resource.messages_per_minute:
        limit, window, count = resource.messages_per_minute, "minute", mail.last_minute
    elif mail.last_hour >= resource.messages_per_hour:
        limit, window, count = resource.messages_per_hour, "hour", mail.last_hour
    else:
        return None
    return Verdict(
        catalog.ACS_RATE_LIMITED,
        "acs_within_sending_limits",
        f"{resource.name} sent {count} messages in the last {window} (limit {limit})",
        {"limit": limit, "window": window},
    )


def size_parameter_within_limit(mail: AcsMail) -> Verdict | None:
    resource, size = resource_of(mail.command.session), mail.command.size
    if resource is not None and size is not None and size > resource.max_message_size:
        return Verdict(
            catalog.ACS_MAIL_SIZE_EXCEEDED,
            "acs_size_parameter_within_limit",
            f"SIZE={size} is over {resource.name}'s {resource.max_message_size} bytes",
        )
    return None


def sender_verified(mail: AcsMail) -> Verdict | None:
    session, address = mail.command.session, mail.command.address
    resource = resource_of(session)
    if resource is None or address is None:
        return None
    wanted = address.strip().lower()
    domain = session.tenant.find_email_domain(wanted.rsplit("@", 1)[-1])
    ok = (
        domain is not None
        and domain.name in resource.linked_domains
        and domain.verified
        and wanted in domain.mail_from_addresses()
    )
    if not ok:
        return Verdict(
            catalog.ACS_SENDER_NOT_VERIFIED,
            "acs_sender_verified",
            f"{address} is not a MailFrom address of a verified domain linked to {resource.name}",
            {"sender": address},
        )
    return None


def _on_command(rule: Rule[MailCommand]) -> Rule[AcsMail]:
    def run(mail: AcsMail) -> Verdict | None:
        return rule(mail.command)

    run.__name__ = getattr(rule, "__name__", "rule")
    return run


MAIL_RULES: tuple[Rule[AcsMail], ...] = (
    _on_command(sequence.require_hello_before_mail),
    require_authentication,
    _on_command(sequence.reject_nested_mail),
    _on_command(sequence.require_valid_mail_syntax),
    size_parameter_within_limit,
    within_sending_limits,
    sender_verified,
)


def recipients_per_message(cmd: RcptCommand) -> Verdict | None:
    resource = resource_of(cmd.session)
    if resource is not None and cmd.session.rcpt_count >= resource.max_recipients_per_message:
        return Verdict(
            catalog.ACS_TOO_MANY_RECIPIENTS,
            "acs_recipients_per_message",
            f"recipient {cmd.session.rcpt_count + 1} is over {resource.name}'s "
            f"{resource.max_recipients_per_message} per message",
        )
    return None


def message_size_within_limit(eod: EndOfData) -> Verdict | None:
    resource = resource_of(eod.session)
    if resource is not None and eod.size > resource.max_message_size:
        return Verdict(
            catalog.ACS_MESSAGE_TOO_BIG,
            "acs_message_size_within_limit",
            f"{eod.size} bytes is over {resource.name}'s {resource.max_message_size}",
        )
    return None


def header_size_within_limit(eod: EndOfData) -> Verdict | None:
    """The bound Exchange Online's front ends use (``Limits.MaxHeaderSize``), CHOSEN for ACS."""
    limit = eod.session.tenant.limits.max_header_size
    if eod.header_size > limit:
        return Verdict(
            catalog.ACS_HEADER_TOO_BIG,
            "acs_header_size_within_limit",
            f"header block of {eod.header_size} bytes is over {limit}",
        )
    return None


def header_from_compliant(eod: EndOfData) -> Verdict | None:
    if not eod.from_compliant:
        shown = ", ".join(eod.header_from) or "(none)"
        return Verdict(
            catalog.ACS_FROM_INVALID,
            "acs_header_from_compliant",
            f"From header is not one field of local@domain addresses: {shown}",
        )
    return None


RCPT_RULES: tuple[Rule[RcptCommand], ...] = (
    sequence.require_mail_before_rcpt,
    sequence.require_valid_rcpt_syntax,
    recipients_per_message,
)

DATA_RULES: tuple[Rule[DataCommand], ...] = (
    sequence.require_mail_before_data,
    sequence.require_rcpt_before_data,
)

EOD_RULES: tuple[Rule[EndOfData], ...] = (
    message_size_within_limit,
    header_size_within_limit,
    header_from_compliant,
)
"""The resource's own size limit, not the tenant's: ACS is not the tenant's Exchange."""


def check_mail(mail: AcsMail) -> Verdict:
    address = mail.command.address
    return evaluate(MAIL_RULES, mail, Verdict(catalog.MAIL_OK, "mail_ok", f"sender {address}"))


def check_rcpt(cmd: RcptCommand) -> Verdict:
    ok = Verdict(catalog.RCPT_OK, "rcpt_ok", f"recipient {cmd.address}")
    return evaluate(RCPT_RULES, cmd, ok)


def check_data(cmd: DataCommand) -> Verdict:
    return evaluate(DATA_RULES, cmd, Verdict(catalog.DATA_START, "data_ok", "go ahead"))


def check_end_of_data(eod: EndOfData) -> Verdict:
    reason = f"{eod.size} bytes for {len(eod.recipients)} recipient(s) via ACS"
    return evaluate(EOD_RULES, eod, Verdict(catalog.EOD_SUBMITTED, "submitted", reason))
