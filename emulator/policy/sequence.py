"""Command order (RFC 5321): hello first, MAIL before RCPT, RCPT before DATA, no nesting."""

from __future__ import annotations

from exolab.emulator.policy.facts import (
    AuthCommand,
    DataCommand,
    MailCommand,
    RcptCommand,
    SessionFacts,
)
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import catalog


def _hello_first(session: SessionFacts, rule: str) -> Verdict | None:
    if session.helo is None:
        return Verdict(
            catalog.HELLO_FIRST, rule, "no EHLO/HELO on this connection (or since STARTTLS)"
        )
    return None


def require_hello_before_starttls(session: SessionFacts) -> Verdict | None:
    return _hello_first(session, "require_hello_before_starttls")


def require_ehlo_before_auth(cmd: AuthCommand) -> Verdict | None:
    """No hello: 503 5.5.2. HELO only: AUTH was never advertised (HELO has no
    extension list, spec 1.3, LIKELY), so the type is unrecognized, as before STARTTLS."""
    hello = _hello_first(cmd.session, "require_ehlo_before_auth")
    if hello is None and not cmd.session.esmtp:
        return Verdict(
            catalog.AUTH_UNRECOGNIZED,
            "require_ehlo_before_auth",
            "AUTH after HELO: only EHLO advertises AUTH",
        )
    return hello


def reject_second_auth(cmd: AuthCommand) -> Verdict | None:
    if cmd.session.identity is not None:
        return Verdict(catalog.AUTH_ALREADY, "reject_second_auth", "already authenticated")
    return None


def require_hello_before_mail(cmd: MailCommand) -> Verdict | None:
    return _hello_first(cmd.session, "require_hello_before_mail")


def reject_nested_mail(cmd: MailCommand) -> Verdict | None:
    if cmd.session.mail_from is not None:
        return Verdict(catalog.MAIL_NESTED, "reject_nested_mail", "MAIL already given")
    return None


def require_valid_mail_syntax(cmd: MailCommand) -> Verdict | None:
    if cmd.address is None:
        return Verdict(catalog.MAIL_SYNTAX, "require_valid_mail_syntax", "MAIL FROM not parseable")
    return None


def require_mail_before_rcpt(cmd: RcptCommand) -> Verdict | None:
    if cmd.session.mail_from is None:
        return Verdict(catalog.RCPT_NEED_MAIL, "require_mail_before_rcpt", "RCPT before MAIL")
    return None


def require_valid_rcpt_syntax(cmd: RcptCommand) -> Verdict | None:
    if not cmd.address:
        return Verdict(catalog.MAIL_SYNTAX, "require_valid_rcpt_syntax", "RCPT TO not parseable")
    return None


def require_mail_before_data(cmd: DataCommand) -> Verdict | None:
    if cmd.session.mail_from is None:
        return Verdict(catalog.RCPT_NEED_MAIL, "require_mail_before_data", "DATA before MAIL")
    return None


def require_rcpt_before_data(cmd: DataCommand) -> Verdict | None:
    if cmd.session.rcpt_count == 0:
        return Verdict(catalog.DATA_NEED_RCPT, "require_rcpt_before_data", "DATA without RCPT")
    return None
