"""AUTH LOGIN with Exchange's exact prompts (``334 VXNlcm5hbWU6`` / ``334 UGFzc3dvcmQ6``).

aiosmtpd's own prompts differ and real Xerox firmware quits on them.
"""

from __future__ import annotations

from dataclasses import dataclass

from exolab.emulator.policy.facts import Credentials
from exolab.emulator.policy.submission import check_basic_credentials
from exolab.emulator.replies import catalog
from exolab.emulator.smtp.auth import AuthExchange, AuthResult, bad_base64, cancelled, decode_base64


@dataclass(frozen=True)
class Login:
    name: str = "LOGIN"
    secret_initial_response: bool = False

    async def authenticate(self, exchange: AuthExchange, initial: str | None) -> AuthResult:
        if initial is None:
            initial = await exchange.challenge(catalog.AUTH_LOGIN_USERNAME)
            if initial is None:
                return cancelled(self.name)
        username = decode_base64(initial)
        if username is None:
            return bad_base64(self.name)
        answer = await exchange.challenge(catalog.AUTH_LOGIN_PASSWORD, secret=True)
        if answer is None:
            return cancelled(self.name)
        password = decode_base64(answer)
        if password is None:
            return bad_base64(self.name)
        facts = exchange.facts()
        verdict = check_basic_credentials(Credentials(facts, self.name, username, password))
        if not verdict.accepted:
            return AuthResult(verdict)
        mailbox = facts.tenant.find_mailbox(username)
        return AuthResult(verdict, mailbox.primary_smtp_address if mailbox else username)


MECHANISM = Login()
