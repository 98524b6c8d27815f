"""Whether a fault rule applies to one point of one session: a pure predicate."""

from __future__ import annotations

import fnmatch
import ipaddress
from dataclasses import dataclass
from datetime import datetime

from exolab.emulator.tenant.fault import Fault


@dataclass(frozen=True, slots=True)
class FaultPoint:
    """Where a session is when it asks whether a fault fires."""

    stage: str
    endpoint: str
    port: int
    source: str
    site: str | None
    user: str | None
    """The signed-in identity, else the envelope sender (anonymous mail), else None."""
    now: datetime
    helo: str | None = None
    """The name the client gave in EHLO/HELO (at stage ehlo: the one being said)."""


def matches(rule: Fault, point: FaultPoint) -> bool:
    """True when every condition ``rule`` states holds at ``point`` (unset ones always do)."""
    if rule.stage != point.stage:
        return False
    if rule.endpoint is not None and rule.endpoint.lower() != point.endpoint.lower():
        return False
    if rule.port is not None and rule.port != point.port:
        return False
    if rule.site is not None and (point.site or "").lower() != rule.site.lower():
        return False
    if rule.user is not None and (point.user or "").lower() != rule.user.lower():
        return False
    if rule.source is not None and not _in_network(point.source, rule.source):
        return False
    if rule.ehlo is not None and not _named(point.helo, rule.ehlo):
        return False
    return _in_window(rule, point.now)


def _named(helo: str | None, pattern: str) -> bool:
    """A glob on the EHLO name, case-insensitive (host names are); no name yet: no match."""
    return helo is not None and fnmatch.fnmatchcase(helo.lower(), pattern.lower())


def _in_network(address: str, network: str) -> bool:
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False


def _in_window(rule: Fault, now: datetime) -> bool:
    if rule.active_from is not None and now < _aware(rule.active_from, now):
        return False
    return rule.active_until is None or now < _aware(rule.active_until, now)


def _aware(when: datetime, like: datetime) -> datetime:
    """A naive window bound is read in the lab clock's zone (so the comparison never fails)."""
    if (when.tzinfo is None) == (like.tzinfo is None):
        return when
    return when.replace(tzinfo=like.tzinfo) if when.tzinfo is None else when.replace(tzinfo=None)
