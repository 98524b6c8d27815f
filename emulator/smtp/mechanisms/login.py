"""AUTH LOGIN with Exchange's exact prompts (``334 VXNlcm5hbWU6`` / ``334 UGFzc3dvcmQ6``).

aiosmtpd's own prompts differ and real Xerox firmware quits on them.
"""

from __future__ import annotations

from dataclasses import dataclass

from exolab.emulator.guards import SmartLockout
from exolab.emulator.policy.facts import Credentials, SessionFacts
from exolab.emulator.policy.submission import check_basic_credentials
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import catalog
from exolab.emulator.smtp.auth import AuthExchange, AuthResult, bad_base64, cancelled, decode_base64


@dataclass(frozen=True)
class Login:
    name: str = "LOGIN"

    async def authenticate(self, exchange: AuthExchange, initial: str | None) -> AuthResult:
        if initial is None:
            initial = await exchange.challenge(catalog.AUTH_LOGIN_USERNAME)
            if initial is None:
                return cancelled(self.name)
        username = decode_base64(initial)
        if username is None:
            return bad_base64(self.name)
        answer = await exchange.challenge(catalog.AUTH_LOGIN_PASSWORD)
        if answer is None:
            return cancelled(self.name)
        password = decode_base64(answer)
        if password is None:
            return bad_base64(self.name)
        exchange.keep_secret(password)
        facts = exchange.facts()
        mailbox = facts.tenant.find_mailbox(username)
        if mailbox is None:  # no user of the tenant: perhaps the password, typed in the wrong field
            exchange.keep_secret(username)
        lockout = exchange.lab().lockout
        account = mailbox.primary_smtp_address if mailbox else None
        locked = lockout.locked_until(account, facts.now) if account else None
        creds = Credentials(facts, self.name, username, password, locked_until=locked)
        verdict = check_basic_credentials(creds)
        if account is not None:
            _count_sign_in(lockout, account, password, verdict, facts)
        if not verdict.accepted:
            return AuthResult(verdict)
        return AuthResult(verdict, account or username)


def _count_sign_in(
    lockout: SmartLockout, account: str, password: str, verdict: Verdict, facts: SessionFacts
) -> None:
    """Tell smart lockout what Entra ID saw: a wrong password, or a password sign-in that worked."""
    if verdict.rule == "credentials_valid":
        rules = facts.tenant.password_rule_settings
        lockout.failed(
            account, password, facts.now, rules.lockout_threshold, rules.lockout_duration_in_seconds
        )
    elif verdict.accepted:
        lockout.succeeded(account)


MECHANISM = Login()
