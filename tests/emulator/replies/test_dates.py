"""The reply dates written with integer formats are what ``strftime`` wrote, for any instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from exolab.emulator.replies.render import rfc1123, trailer_stamp

instants = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.just(UTC)
)


@given(when=instants)
def test_trailer_stamp_is_strftime_and_milliseconds(when: datetime) -> None:
    want = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    assert trailer_stamp(when) == want


@given(when=instants, hours=st.integers(-12, 14))
def test_rfc1123_is_the_strftime_text_in_utc(when: datetime, hours: int) -> None:
    local = when.astimezone(timezone(timedelta(hours=hours)))
    day = str(when.day)  # Exchange does not zero-pad the day
    want = when.strftime(f"%a, {day} %b %Y %H:%M:%S +0000")
    assert rfc1123(local) == want
