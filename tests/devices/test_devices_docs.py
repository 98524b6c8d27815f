"""The generated device docs on disk are current, and the hand-written ones exist."""

from __future__ import annotations

from pathlib import Path

from exolab.devices.docs import LAB_EXPECTATIONS
from exolab.devices.profile import profile_names

DOCS = Path(__file__).resolve().parents[2] / "docs" / "devices"


def test_writing_a_profile_exists_and_expectations_name_real_profiles() -> None:
    assert "## " in (DOCS / "writing-a-profile.md").read_text(encoding="utf-8")
    assert set(LAB_EXPECTATIONS) <= set(profile_names())
