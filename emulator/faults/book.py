"""Each fault rule's counters and seeded random stream, and the decision to fire.

One book per lab: a rule limited to ``Count`` fires that many times across
every session and front end. Each rule draws from its own
``random.Random`` seeded from the lab seed and the rule's name, so the same
seed gives the same faults in the same order, whatever other rules exist.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from exolab.emulator.faults.match import FaultPoint, matches
from exolab.emulator.tenant.fault import Fault


@dataclass(frozen=True, slots=True)
class Fired:
    """A fault that fires: the rule, and which of its firings this is (1-based)."""

    rule: Fault
    nth: int

    def summary(self) -> dict[str, object]:
        """The structured record kept with the session (JSON-ready)."""
        rule = self.rule
        return {
            "name": rule.name,
            "stage": rule.stage,
            "action": rule.action,
            "reply": rule.reply,
            "seconds": rule.seconds,
            "nth": self.nth,
        }

    def note(self) -> str:
        what = self.rule.action + (f" {self.rule.reply}" if self.rule.action == "reply" else "")
        if self.rule.action == "tls_alert":
            what += f" {self.rule.alert}"
        if self.rule.action in ("stall", "slow", "lose_250") and self.rule.seconds:
            what += f" {self.rule.seconds:g} s"
        return f"fault {self.rule.name}: {what} at {self.rule.stage} (firing {self.nth})"


@dataclass
class _Counters:
    rng: random.Random
    matched: int = 0
    fired: int = 0


@dataclass
class FaultBook:
    """What every fault rule has done so far in one lab."""

    _rules: dict[str, _Counters] = field(default_factory=dict)

    def consult(self, rules: Sequence[Fault], point: FaultPoint, seed: int) -> Fired | None:
        """The first rule that matches ``point`` and fires, with its counters updated.

        ``seed`` is the lab seed (``Lab.Seed``): it seeds a rule's stream when the rule
        is first seen.
        """
        for rule in rules:
            if not matches(rule, point):
                continue
            counters = self._counters(rule.name, seed)
            counters.matched += 1
            if counters.matched <= rule.after:
                continue
            if rule.count is not None and counters.fired >= rule.count:
                continue
            # drawn on every eligible match, so the sequence depends only on the seed
            # and the order of matches, never on wall time
            if rule.probability < 1.0 and counters.rng.random() >= rule.probability:
                continue
            counters.fired += 1
            return Fired(rule, counters.fired)
        return None

    def fired(self, name: str) -> int:
        counters = self._rules.get(name)
        return counters.fired if counters else 0

    def matched(self, name: str) -> int:
        counters = self._rules.get(name)
        return counters.matched if counters else 0

    def forget(self, keep: Sequence[str] = ()) -> None:
        """Drop the counters of every rule not named in ``keep`` (rules cleared or replaced)."""
        for name in list(self._rules):
            if name not in keep:
                del self._rules[name]

    def _counters(self, name: str, seed: int) -> _Counters:
        counters = self._rules.get(name)
        if counters is None:
            counters = _Counters(random.Random(f"{seed}:fault:{name}"))
            self._rules[name] = counters
        return counters
