"""The torture suite's short version: the same checks as ``make torture`` with small budgets.

Each test drives a real ``exolab serve`` process; the hostile-input checks
share one lab (one start, a few seconds), the durability check kills its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.torture.budget import SHORT
from tests.torture.durability import SETTINGS, durability
from tests.torture.figures import Figures, table
from tests.torture.fuzz import fuzz
from tests.torture.injection import injection
from tests.torture.served import ServedLab
from tests.torture.slowloris import slowloris
from tests.torture.smuggling import Attempt, attempts, smuggling

SEED = 1


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedLab]:
    with ServedLab(tmp_path_factory.mktemp("torture") / "lab", *SETTINGS) as lab:
        yield lab


def clean(figures: Figures) -> None:
    assert figures.ok, table([figures])


def test_kill9_under_load_loses_and_tears_nothing(tmp_path: Path) -> None:
    lab = ServedLab(tmp_path / "lab", *SETTINGS)
    lab.start()
    figures = durability(lab, SHORT.kills, SEED)
    clean(figures)
    assert figures.tried > 0 and figures.failed == 0, table([figures])


def test_no_end_of_data_look_alike_splits_a_message(hostile: ServedLab) -> None:
    figures = smuggling(hostile, attempts(SHORT.cuts))
    clean(figures)
    assert figures.tried == 48 and figures.failed == 0, table([figures])


def test_the_real_terminator_is_counted_as_a_split(hostile: ServedLab) -> None:
    """The check can fail: with CRLF.CRLF in place of a look-alike the second message is
    a message of its own, and each attempt is counted as one split."""
    real = [
        Attempt(9000 + n, b"\r\n.\r\n", a.front_end, a.mode, "whole")
        for n, a in enumerate(attempts(("whole",), (b"\n.\n",)))
    ]
    figures = smuggling(hostile, [a for a in real if a.mode == "DATA"])
    assert figures.split == 2 and figures.foreign == 0, table([figures])


def test_no_command_survives_starttls(hostile: ServedLab) -> None:
    figures = injection(hostile)
    clean(figures)
    assert figures.tried >= 5 * 8 and figures.failed == 0, table([figures])


def test_random_input_gets_only_catalog_replies(hostile: ServedLab) -> None:
    clean(fuzz(hostile, SHORT.fuzz_sessions, SEED))


def test_slow_clients_do_not_hold_up_a_normal_one(hostile: ServedLab) -> None:
    figures = slowloris(hostile, SHORT.attackers, SHORT.slowloris_seconds)
    clean(figures)
    assert figures.tried > 0 and figures.failed == 0, table([figures])


def test_the_table_fails_on_any_hard_finding() -> None:
    quiet = Figures("quiet", tried=3, failed=1, duplicates=2)
    assert quiet.ok and table([quiet]).endswith("torture: PASS")
    for name in Figures.HARD:
        row = Figures("loud", tried=1)
        setattr(row, name, 1)
        assert not row.ok and table([quiet, row]).endswith("torture: FAIL")
