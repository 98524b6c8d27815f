"""Who may sign in over SMTP AUTH, and the reply each refusal gets (spec section 3).

Order of the basic-credential checks (``BASIC_CREDENTIAL_RULES`` in
``submission.py``), and why:

1. ``basic_auth_retired`` (retirement.py) and ``basic_auth_blocked_by_policy``:
   protocol-level blocks Exchange applies before it asks Entra ID about the
   password (authentication policies are "pre-auth").
2. ``legacy_tls_requires_opt_in`` (tls.py): the organization's opt-in.
3. ``account_not_locked`` then ``credentials_valid``: Entra ID's smart lockout
   (lockout.py), then unknown user or wrong password.
4. ``mailbox_can_sign_in``: unlicensed or shared mailbox.
5. ``security_defaults_block_legacy`` then ``conditional_access_blocks_legacy``:
   Entra ID evaluates these after the password is known to be right.
6. ``smtp_auth_enabled``: Exchange's own switch, mailbox value overriding the
   tenant's; XOAUTH2 (policy/xoauth2.py) applies the same rule.

A wrong password therefore wins over every switch except the pre-auth blocks;
the real order is not documented, this one is CHOSEN and consistent with
where each check lives in Microsoft's stack.
"""

from __future__ import annotations

import hmac

from exolab.emulator.policy.facts import AuthCommand, Credentials, SessionFacts
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import catalog
from exolab.emulator.tenant import Mailbox


def reject_unadvertised_mechanism(cmd: AuthCommand) -> Verdict | None:
    if not cmd.known:
        return Verdict(
            catalog.AUTH_UNRECOGNIZED,
            "reject_unadvertised_mechanism",
            f"AUTH {cmd.mechanism or '(none)'} is not offered (only LOGIN and XOAUTH2)",
        )
    return None


def basic_auth_blocked_by_policy(creds: Credentials) -> Verdict | None:
    if not creds.session.tenant.authentication_policy.allow_basic_auth_smtp:
        return Verdict(
            catalog.AUTH_BASIC_DISABLED,
            "basic_auth_blocked_by_policy",
            "AuthenticationPolicy.AllowBasicAuthSmtp is false",
        )
    return None


def wrong_password_verdict(session: SessionFacts, rule: str, reason: str) -> Verdict:
    """The wrong-password reply in the wording ``Lab.WrongPasswordReply`` chooses."""
    choice = session.tenant.lab.wrong_password_reply
    reply = catalog.AUTH_BAD_CREDENTIALS if choice == "5.7.139" else catalog.AUTH_FAILED
    return Verdict(reply, rule, reason)


def account_not_locked(creds: Credentials) -> Verdict | None:
    """Entra ID smart lockout refuses every password, the right one too, until it ends."""
    if creds.locked_until is not None:
        until = creds.locked_until.strftime("%Y-%m-%dT%H:%M:%SZ")
        return Verdict(
            catalog.AUTH_ACCOUNT_LOCKED,
            "account_not_locked",
            f"smart lockout: {creds.username} is locked until {until} "
            "(PasswordRuleSettings.LockoutThreshold failed sign-ins)",
        )
    return None


def federated_sts_available(creds: Credentials) -> Verdict | None:
    """A federated user's password is checked by the domain's identity provider (AD FS), so an
    STS that cannot be reached, or is not served over HTTPS, fails the sign-in before any
    password is judged."""
    mailbox = creds.session.tenant.find_mailbox(creds.username)
    if mailbox is None or mailbox.federated_sts in ("none", "reachable"):
        return None
    reply = {
        "unreachable": catalog.AUTH_FEDERATED_STS_UNREACHABLE,
        "not_https": catalog.AUTH_FEDERATED_STS_NOT_HTTPS,
    }[mailbox.federated_sts]
    return Verdict(
        reply,
        "federated_sts_available",
        f"{mailbox.primary_smtp_address} is federated; its STS is {mailbox.federated_sts} "
        "(Mailbox.FederatedSts)",
    )


def credentials_valid(creds: Credentials) -> Verdict | None:
    mailbox = creds.session.tenant.find_mailbox(creds.username)
    if mailbox is None:
        return wrong_password_verdict(
            creds.session, "credentials_valid", f"no mailbox {creds.username!r} in the tenant"
        )
    if mailbox.password is None or not hmac.compare_digest(
        mailbox.password.encode("utf-8", "surrogateescape"),
        creds.password.encode("utf-8", "surrogateescape"),
    ):
        return wrong_password_verdict(
            creds.session, "credentials_valid", f"wrong password for {mailbox.primary_smtp_address}"
        )
    return None


def mailbox_can_sign_in(mailbox: Mailbox, rule: str = "mailbox_can_sign_in") -> Verdict | None:
    """A shared or unlicensed mailbox cannot use SMTP AUTH (535 5.7.3)."""
    if mailbox.recipient_type_details == "SharedMailbox":
        return Verdict(
            catalog.AUTH_FAILED, rule, f"{mailbox.primary_smtp_address} is a shared mailbox"
        )
    if not mailbox.licensed:
        return Verdict(catalog.AUTH_FAILED, rule, f"{mailbox.primary_smtp_address} has no licence")
    return None


def _mailbox(creds: Credentials) -> Mailbox:
    mailbox = creds.session.tenant.find_mailbox(creds.username)
    if mailbox is None:  # credentials_valid runs first; keep the rules total anyway
        raise LookupError(creds.username)
    return mailbox


def licensed_user_mailbox(creds: Credentials) -> Verdict | None:
    return mailbox_can_sign_in(_mailbox(creds), "licensed_user_mailbox")


def security_defaults_block_legacy(creds: Credentials) -> Verdict | None:
    if creds.session.tenant.security_defaults.is_enabled:
        return Verdict(
            catalog.AUTH_SECURITY_DEFAULTS,
            "security_defaults_block_legacy",
            "SecurityDefaults.IsEnabled: legacy (basic) sign-in is blocked",
        )
    return None


def conditional_access_blocks_legacy(creds: Credentials) -> Verdict | None:
    mailbox = _mailbox(creds)
    session = creds.session
    if mailbox.mfa_required:
        return Verdict(
            catalog.AUTH_CONDITIONAL_ACCESS,
            "conditional_access_blocks_legacy",
            f"per-user MFA on {mailbox.primary_smtp_address}: basic sign-in cannot satisfy it",
        )
    for policy in session.tenant.conditional_access_policy:
        if policy.applies_to(mailbox.primary_smtp_address, session.public_ip, legacy=True):
            return Verdict(
                catalog.AUTH_CONDITIONAL_ACCESS,
                "conditional_access_blocks_legacy",
                f"Conditional Access policy {policy.display_name!r} ({policy.grant_control}) "
                f"applies from {session.public_ip}",
            )
    return None


def smtp_auth_enabled_for(session: SessionFacts, mailbox: Mailbox) -> Verdict | None:
    """SmtpClientAuthenticationDisabled: the mailbox's value if set, else the tenant's."""
    disabled, where = session.tenant.smtp_auth_disabled_for(mailbox)
    if not disabled:
        return None
    reply = catalog.AUTH_DISABLED_MAILBOX if where == "Mailbox" else catalog.AUTH_DISABLED_TENANT
    reason = (
        f"Set-CASMailbox {mailbox.primary_smtp_address} -SmtpClientAuthenticationDisabled $true"
        if where == "Mailbox"
        else "TransportConfig.SmtpClientAuthenticationDisabled is true and the mailbox follows it"
    )
    return Verdict(reply, "smtp_auth_enabled", reason)


def smtp_auth_enabled(creds: Credentials) -> Verdict | None:
    return smtp_auth_enabled_for(creds.session, _mailbox(creds))


def auth_success(identity: str, method: str) -> Verdict:
    return Verdict(catalog.AUTH_SUCCESS, "auth_success", f"{identity} signed in with {method}")
