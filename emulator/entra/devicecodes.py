"""Pending device-code sign-ins (RFC 8628 as Entra runs it), judged by the lab clock.

A device asks ``/devicecode`` and shows the user code; a person approves it on
the lab's deviceauth page or with ``exolab signin``; the device's next poll
redeems it once. Codes live in memory: a restarted lab forgets them, the way a
real device code is lost when the device gives up.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from exolab.emulator.entra.errors import EntraError

# Entra's user codes are 8-9 letters/digits (e.g. BPPVYQZMA, YZMYLD4K).
_USER_CODE_ALPHABET = string.ascii_uppercase + string.digits
_DEVICE_CODE_ALPHABET = string.ascii_letters + string.digits + "-_"


class CodeState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    FAILED = "failed"
    REDEEMED = "redeemed"


@dataclass
class DeviceCode:
    """One device-code sign-in in progress."""

    device_code: str
    user_code: str
    client_id: str
    scopes: tuple[str, ...]
    tenant_segment: str
    issued: datetime
    expires: datetime
    state: CodeState = CodeState.PENDING
    user: str | None = None
    failure: EntraError | None = None
    failure_params: dict[str, str] = field(default_factory=dict)

    def expired(self, now: datetime) -> bool:
        return now >= self.expires


@dataclass
class DeviceCodeStore:
    """Every device code issued by one token service."""

    rng: random.Random
    codes: dict[str, DeviceCode] = field(default_factory=dict)

    def issue(
        self,
        client_id: str,
        scopes: tuple[str, ...],
        tenant_segment: str,
        now: datetime,
        lifetime: int,
    ) -> DeviceCode:
        user_code = "".join(self.rng.choice(_USER_CODE_ALPHABET) for _ in range(9))
        device_code = "DAQABIQEAAA" + "".join(
            self.rng.choice(_DEVICE_CODE_ALPHABET) for _ in range(120)
        )
        code = DeviceCode(
            device_code=device_code,
            user_code=user_code,
            client_id=client_id,
            scopes=scopes,
            tenant_segment=tenant_segment,
            issued=now,
            expires=now + timedelta(seconds=lifetime),
        )
        self.codes[device_code] = code
        return code

    def by_device_code(self, device_code: str) -> DeviceCode | None:
        return self.codes.get(device_code)

    def by_user_code(self, user_code: str) -> DeviceCode | None:
        wanted = user_code.strip().upper().replace("-", "").replace(" ", "")
        for code in self.codes.values():
            if code.user_code == wanted:
                return code
        return None

    def pending(self, now: datetime) -> list[DeviceCode]:
        return [
            c for c in self.codes.values() if c.state is CodeState.PENDING and not c.expired(now)
        ]
