"""Shared protection state of one lab, sans-IO: smart lockout and open-connection counts.

Both objects live on the ``LabContext`` (every front end and the token
service consult the same ones), so this module imports nothing of ours: the
lab context cannot import ``emulator.policy`` (policy reads Entra's token
format, and the token service holds the lab context). The rules that read
these counts are in ``policy.auth`` and ``policy.limits``.

Entra ID smart lockout: who is locked out of password sign-in, and until when.

One ``SmartLockout`` per lab is shared by every door that checks a password
(SMTP AUTH LOGIN on the submission hosts, the token endpoint's password grant
and its sign-in page), the way Entra ID counts sign-ins whatever the protocol.
Microsoft documents the behaviour modelled here
(https://learn.microsoft.com/en-us/entra/identity/authentication/howto-password-smart-lockout):

- after ``LockoutThreshold`` failed sign-ins (default 10) the account is locked
  for ``LockoutDurationInSeconds`` (default 60); while locked even the right
  password is refused;
- each further failure after a lockout locks it again; Microsoft lets the
  duration grow by an undisclosed rate, the lab keeps it fixed (CHOSEN) so a
  run replays exactly;
- the last three bad-password hashes are remembered and a repeat of one of
  them is not counted (a device retrying its one stale password does not lock
  its own account);
- a successful sign-in clears the count (CHOSEN: not documented).

Only hashes of bad passwords are held, never the passwords. Times are the lab
clock's, passed in.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

REMEMBERED_BAD_PASSWORDS = 3


@dataclass
class _Account:
    failures: int = 0
    locked_until: datetime | None = None
    recent_bad: deque[bytes] = field(default_factory=lambda: deque(maxlen=REMEMBERED_BAD_PASSWORDS))


def _key(account: str) -> str:
    return account.strip().lower()


def _fingerprint(account: str, password: str) -> bytes:
    data = f"{_key(account)}\0{password}".encode("utf-8", "surrogateescape")
    return hashlib.sha256(data).digest()


@dataclass
class SmartLockout:
    """Failed-sign-in counts and lockouts per account (a mailbox's primary address)."""

    _accounts: dict[str, _Account] = field(default_factory=dict)

    def locked_until(self, account: str, now: datetime) -> datetime | None:
        """When the lockout of ``account`` ends, or None when it may sign in now."""
        entry = self._accounts.get(_key(account))
        if entry is None or entry.locked_until is None or now >= entry.locked_until:
            return None
        return entry.locked_until

    def failed(
        self, account: str, password: str, now: datetime, threshold: int, duration: float
    ) -> bool:
        """Count a wrong password; True when this failure locked the account."""
        entry = self._accounts.setdefault(_key(account), _Account())
        fingerprint = _fingerprint(account, password)
        if fingerprint in entry.recent_bad:
            return False
        entry.recent_bad.append(fingerprint)
        entry.failures += 1
        if entry.failures < threshold:
            return False
        entry.locked_until = now + timedelta(seconds=duration)
        return True

    def succeeded(self, account: str) -> None:
        """A right password while not locked: start counting afresh."""
        self._accounts.pop(_key(account), None)

    def failures(self, account: str) -> int:
        """Counted failures of ``account`` (for notes and tests)."""
        entry = self._accounts.get(_key(account))
        return entry.failures if entry else 0


@dataclass
class ConnectionCounts:
    """Open SMTP connections of one lab, in total and per source address.

    A connection counts from ``opened`` to ``released``. The source is the
    address the lab sees (a device's loopback or LAN address), not the public
    IP of its site: that is the resource one client can exhaust.
    """

    _per_source: dict[str, int] = field(default_factory=dict)
    total: int = 0
    refused: int = 0
    """Connections refused by a cap (never counted as open)."""

    def held_by(self, source: str) -> int:
        return self._per_source.get(source, 0)

    def opened(self, source: str) -> None:
        self._per_source[source] = self._per_source.get(source, 0) + 1
        self.total += 1

    def released(self, source: str) -> None:
        held = self._per_source.get(source, 0)
        if held <= 0:
            return
        if held == 1:
            del self._per_source[source]
        else:
            self._per_source[source] = held - 1
        self.total -= 1
