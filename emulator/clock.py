"""Injectable time: every rule reads the lab clock, never the wall clock.

A ``Clock`` gives the current UTC time and a monotonic reading. ``LabClock``
runs from a chosen start instant (``--as-of``) at real speed, so replies carry
a plausible timestamp while a scenario replays exactly when combined with a
fixed start. ``FixedClock`` never moves unless told to (tests).

The lab date is also read from ``EXOLAB_AS_OF`` (the same text as ``--as-of``),
so every command, the pytest plugin and the test suite can be moved to another
day together without faking the process's clock.
"""

from __future__ import annotations

import time as _time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

LAB_DATE_ENV = "EXOLAB_AS_OF"
"""The environment variable that sets the default lab date, as ``EXOLAB_DATA`` sets ``--data``."""


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

    def set_now(self, instant: datetime | None) -> None:
        """Jump to ``instant`` (None: stay, a fixed clock has no real time to return to)."""
        if instant is not None:
            self.instant = instant


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

    def set_now(self, instant: datetime | None) -> None:
        """Run on from ``instant`` (None: the real current time), as a live ``Lab.AsOf`` asks.

        Every part of the lab holds this one object, so moving it in place moves
        the banners, the retirement dates and the token lifetimes together."""
        self.start = instant
        self._origin = _time.monotonic()


def move_clock(clock: Clock, instant: datetime | None) -> bool:
    """Set ``clock`` to ``instant`` when it can be set; False for a clock that cannot."""
    setter = getattr(clock, "set_now", None)
    if setter is None:
        return False
    setter(instant)
    return True


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC instant, for readable tests and data."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class LabDateError(ValueError):
    """A lab date that is not a date; the message names where it came from."""


def parse_lab_date(text: str, origin: str = "--as-of") -> datetime:
    """``2027-01-15`` or ``2027-01-15T09:00[:00][Z|+09:00]`` as an aware UTC instant.

    A date alone is midnight UTC; a time without a zone is UTC."""
    try:
        parsed = (
            datetime.fromisoformat(text)
            if "T" in text
            else datetime.combine(date.fromisoformat(text), datetime.min.time())
        )
    except ValueError:
        raise LabDateError(
            f"{origin} {text!r}: expected a date like 2027-01-15 or 2027-01-15T09:00"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def lab_date_from_env(environ: Mapping[str, str]) -> datetime | None:
    """The lab date ``EXOLAB_AS_OF`` names, or None when it is unset or empty."""
    text = environ.get(LAB_DATE_ENV, "").strip()
    return parse_lab_date(text, f"${LAB_DATE_ENV}") if text else None
