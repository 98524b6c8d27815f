"""The order a run starts its scenarios in: the longest first, by the last run's times.

Worker processes pull scenarios one by one, so the run ends when its last
long scenario does. A scenario's length is mostly waiting it cannot show in
its file (a device's retry intervals and timeouts: `lost-250-duplicate`
waits over a second on 70 ms of work), so each run keeps how long every
scenario took and the next run starts the longest ones first. A scenario
never run before is placed by its sends. The order changes nothing a
scenario observes: each has its own lab, clock, seed and ports.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from exolab.scenarios.loader import ScenarioFile

TIMES_FILE = "scenario-times.json"
"""In the user's exolab cache folder: scenario id -> seconds, from the last run of each."""

KEPT_TIMES = 5000
"""At most this many scenarios' times are kept (the most recently run)."""

SECONDS_PER_SEND = 0.03
"""A scenario never timed: about a lab's start and stop, then this per send."""


def cache_home() -> Path | None:
    """The user's exolab cache folder (``$XDG_CACHE_HOME/exolab``), or None without a home."""
    base = os.environ.get("XDG_CACHE_HOME") or (
        str(Path.home() / ".cache") if os.environ.get("HOME") else ""
    )
    return Path(base) / "exolab" if base else None


def times_path() -> Path | None:
    home = cache_home()
    return home / TIMES_FILE if home is not None else None


def read_times(path: Path | None) -> dict[str, float]:
    """The kept times; nothing for a missing, unreadable or damaged file."""
    if path is None:
        return {}
    try:
        kept = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(kept, dict):
        return {}
    return {
        str(k): float(v) for k, v in kept.items() if isinstance(v, int | float) and 0 <= v < 86400
    }


def estimate(item: ScenarioFile, known: Mapping[str, float]) -> float:
    """Seconds the scenario is expected to take: its last time, else a guess from its sends."""
    if item.scenario.id in known:
        return known[item.scenario.id]
    return SECONDS_PER_SEND * (1 + item.scenario.repeat * item.scenario.parallel)


def longest_first(items: Sequence[ScenarioFile], known: Mapping[str, float]) -> list[int]:
    """Indexes of ``items``, the longest expected first (ties in catalog order)."""
    return sorted(range(len(items)), key=lambda i: -estimate(items[i], known))


def keep_times(path: Path | None, timed: Iterable[tuple[str, float]]) -> None:
    """Add this run's (id, seconds) to the kept times, written aside and renamed into place.

    A read-only or missing home costs the next run its order, nothing else.
    """
    if path is None:
        return
    merged = read_times(path)
    for scenario_id, seconds in timed:
        merged.pop(scenario_id, None)  # re-inserted last: the newest are kept
        merged[scenario_id] = round(seconds, 3)
    kept = dict(list(merged.items())[-KEPT_TIMES:])
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, staging = tempfile.mkstemp(prefix=".scenario-times-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(kept, out)
        os.replace(staging, path)
    except OSError:
        return
