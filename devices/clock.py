"""Injected time for devices (structurally the same protocol as the lab clock).

devices/ never imports emulator/, so it declares the protocol it needs: a
timezone-aware ``now()`` for Date headers and a ``monotonic()`` reading for
transcript timestamps and timeouts.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back."""
        ...


class SystemClock:
    """The wall clock; the default when no clock is injected."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return _time.monotonic()


@dataclass
class SetClock:
    """A device clock someone set to ``start``: it runs at real speed from there.

    A device in the lab world keeps the lab's date (``exolab send --as-of``), so
    its Date header and token expiry agree with the lab on any real day."""

    start: datetime
    _origin: float = field(default_factory=_time.monotonic)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=_time.monotonic() - self._origin)

    def monotonic(self) -> float:
        return _time.monotonic()


@dataclass
class FrozenClock:
    """A fixed date with a real monotonic reading (reproducible Date headers)."""

    instant: datetime

    def now(self) -> datetime:
        return self.instant

    def monotonic(self) -> float:
        return _time.monotonic()

    def advance(self, seconds: float) -> None:
        self.instant += timedelta(seconds=seconds)
