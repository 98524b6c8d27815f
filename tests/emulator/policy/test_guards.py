"""Smart lockout and the connection caps as pure decisions, on the lab clock."""

from __future__ import annotations

from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.guards import ConnectionCounts, SmartLockout
from exolab.emulator.policy.limits import connection_allowed, data_too_slow
from exolab.emulator.tenant.model import Limits


def test_lockout_after_threshold_distinct_failures_and_expiry() -> None:
    clock = FixedClock(utc(2027, 1, 15, 9))
    lockout = SmartLockout()
    for password in ("a", "b", "a", "b"):  # repeats of the last bad passwords do not count
        assert not lockout.failed("Alice@contoso.com", password, clock.now(), 3, 60)
    assert lockout.failures("alice@contoso.com") == 2
    assert lockout.failed("alice@contoso.com", "c", clock.now(), 3, 60)
    assert lockout.locked_until("ALICE@contoso.com", clock.now()) is not None
    clock.advance(60)
    assert lockout.locked_until("alice@contoso.com", clock.now()) is None
    assert lockout.failed("alice@contoso.com", "d", clock.now(), 3, 60), (
        "each further failure relocks"
    )
    clock.advance(60)
    lockout.succeeded("alice@contoso.com")
    assert lockout.failures("alice@contoso.com") == 0


def test_connection_caps_total_first_then_per_source() -> None:
    limits = Limits(max_inbound_connection=3, max_inbound_connection_per_source=2)
    counts = ConnectionCounts()
    for _ in range(2):
        assert connection_allowed(counts.held_by("a"), counts.total, limits) is None
        counts.opened("a")
    verdict = connection_allowed(counts.held_by("a"), counts.total, limits)
    assert verdict is not None and verdict.rule == "max_inbound_connection_per_source"
    counts.opened("b")
    verdict = connection_allowed(counts.held_by("c"), counts.total, limits)
    assert verdict is not None and verdict.rule == "max_inbound_connection"
    assert verdict.reply.code == 421 and verdict.closes
    counts.released("a")
    counts.released("zzz")  # never opened: nothing to release
    assert counts.total == 2 and counts.held_by("a") == 1


def test_data_rate() -> None:
    assert data_too_slow(10, 1.0, 100) and not data_too_slow(100, 1.0, 100)
    assert not data_too_slow(0, 1.0, 0), "0 turns the minimum off"
