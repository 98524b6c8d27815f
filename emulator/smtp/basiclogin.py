"""AUTH LOGIN's two prompts, shared by the front ends that judge the answers their own way.

Submission's LOGIN (``mechanisms/login.py``) and the HVE and ACS relays ask
the same two questions with Exchange's exact prompts (``334 VXNlcm5hbWU6`` /
``334 UGFzc3dvcmQ6``); only who checks the answers differs.
"""

from __future__ import annotations

from exolab.emulator.replies import catalog
from exolab.emulator.smtp.auth import AuthExchange, AuthResult, bad_base64, cancelled, decode_base64


async def collect_login(
    exchange: AuthExchange, initial: str | None, mechanism: str = "LOGIN"
) -> tuple[str, str] | AuthResult:
    """(username, password) as the client typed them, or the refusal that ends the exchange."""
    if initial is None:
        initial = await exchange.challenge(catalog.AUTH_LOGIN_USERNAME)
        if initial is None:
            return cancelled(mechanism)
    username = decode_base64(initial)
    if username is None:
        return bad_base64(mechanism)
    answer = await exchange.challenge(catalog.AUTH_LOGIN_PASSWORD, secret=True)
    if answer is None:
        return cancelled(mechanism)
    password = decode_base64(answer)
    if password is None:
        return bad_base64(mechanism)
    return username, password
