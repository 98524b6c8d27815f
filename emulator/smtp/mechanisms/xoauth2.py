"""AUTH XOAUTH2: a bearer token from the lab's token service, judged by ``policy.xoauth2``.

``AUTH XOAUTH2 <base64>`` (initial response) or ``AUTH XOAUTH2`` -> ``334 ``
-> base64 answer; the answer is ``user=<addr>^Aauth=Bearer <token>^A^A``.
Every bad token gets ``535 5.7.3`` straight away (no JSON error challenge, as
seen from Exchange Online); the failed check goes to the session note. The
trusted keys are the lab's signing keys in ``<data>/entra`` (what the token
service publishes as JWKS), read through the exchange's ``lab()`` hook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from exolab.emulator.entra import lab_public_keys
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.policy.xoauth2 import check_xoauth2_response, parse_sasl
from exolab.emulator.replies import catalog
from exolab.emulator.smtp.auth import AuthExchange, AuthResult, cancelled


@dataclass
class XOAuth2:
    name: str = "XOAUTH2"
    _keys: dict[Path, dict[str, RSAPublicKey]] = field(default_factory=dict, repr=False)

    def keys_for(self, exchange: AuthExchange) -> dict[str, RSAPublicKey] | None:
        """The lab's public keys (cached per data directory); None without the lab hook."""
        hook: Any = getattr(exchange, "lab", None)
        if hook is None:
            return None
        data_dir = Path(hook().data_dir)
        if data_dir not in self._keys:
            self._keys[data_dir] = lab_public_keys(data_dir)
        return self._keys[data_dir]

    async def authenticate(self, exchange: AuthExchange, initial: str | None) -> AuthResult:
        if initial is None:
            initial = await exchange.challenge(catalog.AUTH_XOAUTH2_CONTINUE)
            if initial is None:
                return cancelled(self.name)
        sasl = parse_sasl(initial)
        exchange.keep_secret(sasl.token if sasl else None)
        facts = exchange.facts()
        keys = self.keys_for(exchange)
        if keys is None:
            return AuthResult(
                Verdict(catalog.AUTH_FAILED, "xoauth2_token", "token.signature: no lab keys")
            )
        verdict = check_xoauth2_response(facts, keys, initial)
        if not verdict.accepted:
            return AuthResult(verdict)
        mailbox = facts.tenant.find_mailbox(sasl.user) if sasl else None
        identity = mailbox.primary_smtp_address if mailbox else (sasl.user if sasl else None)
        return AuthResult(verdict, identity)


MECHANISM = XOAuth2()
