"""Lab dates from flags and from ``EXOLAB_AS_OF``: one format, always aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from exolab.emulator.clock import LabDateError, lab_date_from_env, parse_lab_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-02-01", datetime(2027, 2, 1, tzinfo=UTC)),
        ("2027-02-01T09:30", datetime(2027, 2, 1, 9, 30, tzinfo=UTC)),
        ("2027-02-01T09:30:00Z", datetime(2027, 2, 1, 9, 30, tzinfo=UTC)),
        ("2027-02-01T18:30+09:00", datetime(2027, 2, 1, 9, 30, tzinfo=UTC)),
    ],
)
def test_lab_dates_are_aware_utc(text: str, expected: datetime) -> None:
    parsed = parse_lab_date(text)
    assert parsed == expected and parsed.utcoffset() is not None


def test_a_bad_date_names_where_it_came_from() -> None:
    with pytest.raises(LabDateError, match=r"^\$EXOLAB_AS_OF 'tomorrow': expected a date"):
        lab_date_from_env({"EXOLAB_AS_OF": "tomorrow"})


def test_unset_or_empty_means_no_lab_date() -> None:
    assert lab_date_from_env({}) is None
    assert lab_date_from_env({"EXOLAB_AS_OF": " "}) is None
