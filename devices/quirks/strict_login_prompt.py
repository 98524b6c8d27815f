"""Quirk #7: a strict AUTH LOGIN parser that QUITs on a non-standard 334 prompt.

Xerox firmware (EHLO ``XC-B8C463``) quits when the first challenge is not the
customary base64 "Username:"; aiosmtpd's default ``334 VXNlciBOYW1lAA==``
("User Name\\0") triggers it. Source:
https://github.com/JustinIven/smtp-oauth-relay/issues/57
"""

from __future__ import annotations

from exolab.devices.quirks import register
from exolab.devices.quirks.base import Quirk, QuirkParams


class StrictLoginPromptParams(QuirkParams):
    username_prompts: tuple[str, ...] = ("Username:",)
    password_prompts: tuple[str, ...] = ("Password:",)


@register
class StrictLoginPrompt(Quirk):
    name = "strict-login-prompt"
    summary = "AUTH LOGIN: QUIT unless the 334 prompt decodes to exactly 'Username:' / 'Password:'."
    Params = StrictLoginPromptParams

    def accept_login_prompt(self, step: int, prompt: str, accept: bool) -> bool:
        assert isinstance(self.params, StrictLoginPromptParams)
        allowed = self.params.username_prompts if step == 0 else self.params.password_prompts
        return accept and prompt in allowed
