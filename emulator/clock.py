"""Injectable time: every rule reads the lab clock, never the wall clock.

A ``Clock`` gives the current UTC time and a monotonic reading. ``LabClock``
runs from a chosen start instant (``--as-of``) at real speed, so replies carry
a plausible timestamp while a scenario replays exactly when combined with a
fixed start. ``FixedClock`` never moves unless told to (tests).
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current lab time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for rates and timeouts)."""
        ...


@dataclass
class FixedClock:
    """A clock that stands still until advanced; for tests and replays."""

    instant: datetime
    _mono: float = 0.0

    def now(self) -> datetime:
        return self.instant

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self.instant += timedelta(seconds=seconds)
        self._mono += seconds


@dataclass
class LabClock:
    """Runs at real speed from ``start`` (the lab date), or from now when not given."""

    start: datetime | None = None
    _origin: float = field(default_factory=_time.monotonic)

    def now(self) -> datetime:
        elapsed = timedelta(seconds=_time.monotonic() - self._origin)
        if self.start is None:
            return datetime.now(UTC)
        return self.start + elapsed

    def monotonic(self) -> float:
        return _time.monotonic()


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC instant, for readable tests and data."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)
