"""The console tests' lab: submission and the API with the live explainer, on a pinned day."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from exolab.emulator.api import ApiService
from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.lab import Service
from exolab.emulator.server import Lab
from exolab.emulator.smtp.submission import SubmissionService
from exolab.scenarios.live import LiveExplainer
from tests.emulator import labs


@pytest.fixture
async def console_lab(tmp_path: Path) -> AsyncIterator[Lab]:
    def services() -> list[Service]:
        return [SubmissionService(), ApiService(LiveExplainer())]

    async with labs.lab_factory(tmp_path, services) as start:
        yield await start(clock=FixedClock(utc(2026, 11, 27, 9, 30)))
