"""Quirk #20: special characters in the password are mishandled.

Older MFPs of several vendors mishandle ``~`` and ``"`` in the password so
authentication fails. Secondary source only:
https://www.itkitchen.info/2023/06/04/office-365-basic-authentication-error-for-scan-to-email-function/
How exactly a given firmware mangles it (dropping, truncating) is a guess.
"""

from __future__ import annotations

from pydantic import Field

from exolab.devices.quirks import register
from exolab.devices.quirks.base import Quirk, QuirkParams


class PasswordManglingParams(QuirkParams):
    drop_chars: str = '~"'
    max_length: int | None = Field(default=None, ge=1)


@register
class PasswordMangling(Quirk):
    name = "password-mangling"
    summary = "Drop some characters from the stored password and/or truncate it."
    Params = PasswordManglingParams

    def password(self, password: str) -> str:
        assert isinstance(self.params, PasswordManglingParams)
        kept = "".join(c for c in password if c not in self.params.drop_chars)
        if self.params.max_length is not None:
            kept = kept[: self.params.max_length]
        return kept
