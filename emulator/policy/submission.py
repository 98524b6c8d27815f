"""The restriction lists of smtp.office365.com / smtp-legacy.office365.com, per stage.

Read top to bottom: the first rule that returns a verdict decides (Postfix
style). The default of each stage is its accept reply. The order of the AUTH
credential checks is explained in ``auth.py``.
"""

from __future__ import annotations

from exolab.emulator.policy import auth, content, limits, retirement, sender, sequence, tls
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

AUTH_COMMAND_RULES: tuple[Rule[AuthCommand], ...] = (
    sequence.require_ehlo_before_auth,
    sequence.reject_second_auth,
    tls.require_tls_before_auth,
    auth.reject_unadvertised_mechanism,
    tls.refuse_legacy_tls_on_default_endpoint,
)

BASIC_CREDENTIAL_RULES: tuple[Rule[Credentials], ...] = (
    retirement.basic_auth_retired,
    auth.basic_auth_blocked_by_policy,
    tls.legacy_tls_requires_opt_in,
    auth.account_not_locked,
    auth.federated_sts_available,
    auth.credentials_valid,
    auth.licensed_user_mailbox,
    auth.security_defaults_block_legacy,
    auth.conditional_access_blocks_legacy,
    auth.smtp_auth_enabled,
)

MAIL_RULES: tuple[Rule[MailCommand], ...] = (
    sequence.require_hello_before_mail,
    sender.require_authentication,
    sequence.reject_nested_mail,
    sequence.require_valid_mail_syntax,
    limits.size_parameter_within_limit,
    sender.reject_restricted_sender,
    sender.envelope_sender_allowed,
)

RCPT_RULES: tuple[Rule[RcptCommand], ...] = (
    sequence.require_mail_before_rcpt,
    sequence.require_valid_rcpt_syntax,
    limits.recipients_per_message,
)

DATA_RULES: tuple[Rule[DataCommand], ...] = (
    sequence.require_mail_before_data,
    sequence.require_rcpt_before_data,
    limits.concurrent_connections_per_mailbox,
)

EOD_RULES: tuple[Rule[EndOfData], ...] = (
    limits.message_size_within_limit,
    limits.max_send_size,
    content.header_size_within_limit,
    content.header_from_compliant,
    sender.header_from_allowed,
    limits.mailbox_not_full,
    limits.daily_recipient_quota,
    limits.recipient_thread_available,
)


def check_auth_command(cmd: AuthCommand) -> Verdict | None:
    """None: go on with the mechanism's exchange."""
    for rule in AUTH_COMMAND_RULES:
        verdict = rule(cmd)
        if verdict is not None:
            return verdict
    return None


def check_basic_credentials(creds: Credentials) -> Verdict:
    mailbox = creds.session.tenant.find_mailbox(creds.username)
    identity = mailbox.primary_smtp_address if mailbox else creds.username
    return evaluate(BASIC_CREDENTIAL_RULES, creds, auth.auth_success(identity, creds.mechanism))


def check_mail(cmd: MailCommand) -> Verdict:
    ok = Verdict(catalog.MAIL_OK, "mail_ok", f"sender {cmd.address or '<>'}")
    return evaluate(MAIL_RULES, cmd, ok)


def check_rcpt(cmd: RcptCommand) -> Verdict:
    return evaluate(
        RCPT_RULES, cmd, Verdict(catalog.RCPT_OK, "rcpt_ok", f"recipient {cmd.address}")
    )


def check_data(cmd: DataCommand) -> Verdict:
    return evaluate(DATA_RULES, cmd, Verdict(catalog.DATA_START, "data_ok", "go ahead"))


def check_end_of_data(eod: EndOfData) -> Verdict:
    """The EOD decision. A message over the per-minute rate is, after every other rule has
    passed it, delayed (250 now, released later: the default), held (the 250 waits) or
    refused for a retry, as ``Limits.MessageRateAction`` says."""
    limits_ = eod.session.tenant.limits
    decision = limits.message_rate_decision(limits_, eod.rate_delay)
    reason = f"{eod.size} bytes for {len(eod.recipients)} recipient(s)"
    if decision.refuse:
        reason += f"; over {limits_.messages_per_minute} messages a minute: refused for a retry"
        refuse = Verdict(
            catalog.EOD_MESSAGE_RATE, "message_rate", reason, {"limit": limits_.messages_per_minute}
        )
        return evaluate(EOD_RULES, eod, refuse)
    if decision.hold > 0:
        reason += f"; message rate over the limit: reply held {decision.hold:.1f} s"
    if decision.release_after > decision.hold:
        reason += f"; released {decision.release_after:.1f} s after submission"
    accept = Verdict(catalog.EOD_SUBMITTED, "submitted", reason, delay=decision.hold)
    return evaluate(EOD_RULES, eod, accept)


def check_starttls(session: SessionFacts) -> Verdict:
    hello = sequence.require_hello_before_starttls(session)
    if hello is not None:
        return hello
    return Verdict(catalog.STARTTLS_READY, "starttls_ok", "handshake follows")
