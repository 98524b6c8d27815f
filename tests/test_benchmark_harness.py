"""The benchmark harness's figure: the median of paired rounds, never the luckiest runs."""

from __future__ import annotations

import os

from benchmarks.harness import Paired, Run, SessionFn, alternate, process_cpu_seconds, report
from benchmarks.record import FIGURES


def _run(rate: float, failures: int = 0, cpu_ms: float | None = None) -> Run:
    sessions = 100
    server_cpu = None if cpu_ms is None else cpu_ms * sessions / 1000
    return Run("x", sessions, failures, (sessions - failures) / rate, server_cpu)


def test_the_ratio_is_the_median_of_each_rounds_pair_not_best_over_best() -> None:
    # the sink's best round (200/s) and the lab's best round (190/s) are far apart in time:
    # best over best would say 0.95x; each round's own pair says the lab ran faster
    paired = Paired(
        base=[_run(200), _run(100), _run(120)],
        measured=[_run(190), _run(110), _run(132)],
    )
    assert [round(r, 2) for r in paired.ratios] == [0.95, 1.1, 1.1]
    assert round(paired.ratio, 2) == 1.1


def test_a_failed_session_in_any_round_puts_the_figure_below_target() -> None:
    paired = Paired(base=[_run(100), _run(100)], measured=[_run(150), _run(150, failures=1)])
    before = len(FIGURES.items)
    assert not report("10 KB", "lab", paired, 1.0, "test", case="submission")
    figure = FIGURES.items[before]
    assert not figure.ok and "1 FAILED" in figure.measured


def test_the_figure_names_the_range_and_the_server_cpu_per_session() -> None:
    paired = Paired(
        base=[_run(100, cpu_ms=6.0), _run(100, cpu_ms=6.4)],
        measured=[_run(90, cpu_ms=6.6), _run(110, cpu_ms=6.2)],
    )
    before = len(FIGURES.items)
    assert report("10 KB", "lab", paired, 1.0, "test", case="submission")
    figure = FIGURES.items[before]
    assert figure.result == "1.00x"
    assert "range 0.90-1.10x" in figure.detail
    assert "server CPU per session lab 6.40 ms vs sink 6.20 ms" in figure.measured


def test_process_cpu_counts_this_process() -> None:
    before = process_cpu_seconds(os.getpid())
    sum(i * i for i in range(2_000_000))  # some CPU of our own to see
    assert process_cpu_seconds(os.getpid()) > before


def test_rounds_run_in_turn_each_round_starting_with_the_other_side() -> None:
    order: list[str] = []

    def side(name: str) -> SessionFn:
        async def session(number: int) -> None:
            if number == 0:  # the first session of a run: one entry per run
                order.append(name)

        return session

    paired = alternate(side("sink"), side("lab"), sessions=3, concurrency=1, rounds=3)
    warm_ups, rounds = order[:2], order[2:]
    assert warm_ups == ["sink", "lab"]
    assert rounds == ["sink", "lab", "lab", "sink", "sink", "lab"]
    assert len(paired.base) == len(paired.measured) == 3
    assert all(r.server_cpu is None for r in paired.base + paired.measured)
