"""A run starts its longest scenarios first, by the times the last run kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exolab.scenarios.loader import find_scenario
from exolab.scenarios.order import (
    KEPT_TIMES,
    keep_times,
    longest_first,
    read_times,
    times_path,
)
from exolab.scenarios.runner import RunOptions, run_catalog

NAMES = ("modern-587-inside", "fixed-465", "acs-31st-message")


def test_kept_times_put_the_longest_first_and_the_untimed_by_their_sends() -> None:
    items = [find_scenario(n) for n in NAMES]
    # never timed: the 31 sends first, then the others in catalog order
    assert [items[i].id for i in longest_first(items, {})] == [
        "acs-31st-message",
        "modern-587-inside",
        "fixed-465",
    ]
    # timed: a scenario that waits on a device's timeout goes first
    known = {"fixed-465": 0.52, "acs-31st-message": 0.3, "modern-587-inside": 0.05}
    assert [items[i].id for i in longest_first(items, known)] == [
        "fixed-465",
        "acs-31st-message",
        "modern-587-inside",
    ]


def test_times_are_merged_newest_last_and_bounded(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "times.json"
    keep_times(path, [("a", 1.0), ("b", 2.0)])
    keep_times(path, [("a", 0.5)])
    assert list(read_times(path).items()) == [("b", 2.0), ("a", 0.5)]
    keep_times(path, ((f"s{i}", 0.1) for i in range(KEPT_TIMES)))
    kept = read_times(path)
    assert len(kept) == KEPT_TIMES and "a" not in kept and "b" not in kept


@pytest.mark.parametrize(
    "content", ["", "not json", "[1, 2]", '{"a": "slow", "b": -1, "c": 1e9, "d": 0.25}']
)
def test_a_damaged_times_file_only_loses_what_is_damaged(tmp_path: Path, content: str) -> None:
    path = tmp_path / "times.json"
    path.write_text(content, "utf-8")
    assert read_times(path) == ({"d": 0.25} if content.startswith("{") else {})
    keep_times(path, [("e", 0.1)])  # and is replaced whole by the next run's
    assert read_times(path)["e"] == 0.1


def test_without_a_writable_home_a_run_only_loses_its_order(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    keep_times(blocked / "times.json", [("a", 1.0)])
    assert read_times(blocked / "times.json") == {}
    keep_times(None, [("a", 1.0)])
    assert read_times(None) == {}


def test_a_run_over_processes_keeps_each_scenarios_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = times_path()
    assert path == tmp_path / "exolab" / "scenario-times.json"
    items = [find_scenario(n) for n in NAMES[:2]]
    results, _ = run_catalog(items, RunOptions(jobs=2, processes=2))
    assert [r.status for r in results] == ["passed", "passed"]
    kept = json.loads(path.read_text("utf-8"))
    assert kept == {r.id: round(r.seconds, 3) for r in results}
    assert kept["fixed-465"] >= 0.5  # it waits for the device's half-second timeout
