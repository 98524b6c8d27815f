"""Quirk #16: the From header (and MAIL FROM) is not the address the device logs in with.

Common when a scan is sent "from" the scanning user's address; Exchange answers
``5.7.60 SMTP; Client does not have permissions to send as this sender``.
Sources: Microsoft "Fix issues with printers, scanners and LOB applications";
https://github.com/Ylianst/MeshCentral/issues/2188
"""

from __future__ import annotations

from pydantic import Field

from exolab.devices.quirks import register
from exolab.devices.quirks.base import Quirk, QuirkParams


class FromDiffersParams(QuirkParams):
    address: str = Field(min_length=3, pattern=r"^[^@\s]+@[^@\s]+$")
    envelope: bool = True


@register
class FromDiffersFromLogin(Quirk):
    name = "from-differs-from-login"
    summary = "Use a fixed address (the scanning user's) in From and, by default, MAIL FROM."
    Params = FromDiffersParams

    def header_from(self, sender: str) -> str:
        assert isinstance(self.params, FromDiffersParams)
        return self.params.address

    def envelope_sender(self, sender: str) -> str:
        assert isinstance(self.params, FromDiffersParams)
        return self.params.address if self.params.envelope else sender
