"""A run spread over worker processes gives what a run in one process gives, in the same order."""

from __future__ import annotations

import multiprocessing
import os
import re
from typing import Any

from exolab.scenarios.loader import find_scenario
from exolab.scenarios.result import ScenarioResult
from exolab.scenarios.runner import RunOptions, _collect, _lost, run_catalog

HANDFUL = (
    "tenant-disabled",
    "plain-only",
    "header-from-not-login",
    "tls10-submission",
)


EPHEMERAL_PORT = re.compile(r":[0-9]{4,5}\b")


def _without_port(line: str) -> str:
    return EPHEMERAL_PORT.sub(":PORT", line)


def _what_was_seen(result: ScenarioResult) -> tuple[Any, ...]:
    """Everything a result says except how long things took and which ephemeral port served."""
    observation = result.observation
    assert observation is not None, result.error
    attempts = tuple(
        (
            (a.outcome, a.stage, a.code, a.enhanced, a.reply_line, a.tls_version),
            a.device_message,
            tuple((line.dir, _without_port(line.line)) for line in a.transcript),
        )
        for a in observation.attempts
    )
    return (
        result.id,
        result.status,
        result.differences,
        result.error,
        result.failing_step,
        attempts,
        observation.stored,
        observation.sessions,
        result.extra,
    )


def test_worker_processes_give_the_sequential_results_in_the_same_order() -> None:
    items = [find_scenario(name) for name in HANDFUL]
    seen: dict[int, list[str]] = {1: [], 2: []}
    runs = {
        processes: run_catalog(
            items,
            RunOptions(jobs=processes * 2, processes=processes),
            lambda r, processes=processes: seen[processes].append(r.id),  # type: ignore[misc]
        )[0]
        for processes in (1, 2)
    }
    assert [r.id for r in runs[2]] == list(HANDFUL)
    assert seen[1] == seen[2] == list(HANDFUL)  # progress, too, comes in catalog order
    assert [_what_was_seen(r) for r in runs[2]] == [_what_was_seen(r) for r in runs[1]]
    assert all(r.passed for r in runs[2])


def test_results_stop_coming_when_no_worker_is_left_and_the_missing_become_errors() -> None:
    context = multiprocessing.get_context("fork")
    done: multiprocessing.Queue[tuple[int, ScenarioResult]] = context.Queue()
    dead = context.Process(target=os._exit, args=(9,))  # killed, as by the OOM killer
    dead.start()
    dead.join()
    assert list(_collect(done, 3, [dead])) == []
    lost = _lost(find_scenario("plain-only"))
    assert lost.status == "error" and lost.error == "its worker process died"
