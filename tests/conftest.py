"""Suite-wide set-up: every lab the tests start, in-process or as a command, runs on one date."""

from __future__ import annotations

import pytest

from tests.lab_date import pin_for_children


def pytest_configure(config: pytest.Config) -> None:
    pin_for_children()
