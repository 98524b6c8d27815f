"""How much each check tries: the full run (``make torture``) and the short one (``make test``).

The two differ in counts only; every code path of the full run is taken by
the short one too (both front ends, DATA and BDAT, every look-alike, every
STARTTLS endpoint, every fuzz start, every kind of attacker).
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.torture.smuggling import CUTS


@dataclass(frozen=True)
class Budget:
    kills: int
    cuts: tuple[str, ...]
    fuzz_sessions: int
    attackers: int
    slowloris_seconds: float


FULL = Budget(kills=20, cuts=CUTS, fuzz_sessions=1200, attackers=200, slowloris_seconds=20.0)
SHORT = Budget(kills=1, cuts=("whole",), fuzz_sessions=60, attackers=24, slowloris_seconds=3.0)
