"""Scratch labs live in memory when the machine has room for them, else in the temp folder."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from exolab.scenarios.runner import RunOptions, _data_dir, scratch_root


def test_a_folder_with_room_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMPDIR", raising=False)
    assert scratch_root(tmp_path, need=1) == str(tmp_path)


def test_too_little_room_a_missing_folder_or_a_users_tmpdir_fall_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TMPDIR", raising=False)
    assert scratch_root(tmp_path, need=1 << 62) is None
    assert scratch_root(tmp_path / "absent", need=1) is None
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert scratch_root(tmp_path, need=1) is None


def test_a_scratch_lab_is_made_there_and_removed_after() -> None:
    with _data_dir(RunOptions(), "scratch-probe") as path:
        assert path.parent == Path(scratch_root() or tempfile.gettempdir())
        assert (path / "ca.pem").is_file()  # the run's keys are seeded into it
    assert not path.exists()
