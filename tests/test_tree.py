"""The test tree mirrors the source tree, so a newcomer knows where a test goes.

A test of ``emulator/smtp/mx.py`` lives in ``tests/emulator/smtp/`` (or, with
fixtures of its own, in ``tests/emulator/smtp/mx/``); a test of
``exolab/cli/serve.py`` lives in ``tests/cli/``; a test of the whole project
(docs, layers, packaging, the README) lives in ``tests/`` itself. Every test
folder is a package, so test modules import each other as ``tests.…``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
SIDES = ("emulator", "devices", "scenarios")
CROSS_CUTTING = {"torture": "the hostile-input suite: every front end at once, `make torture`"}


def mirrored_source(test_dir: Path) -> Path | None:
    """The source package or module a test folder stands for, if any."""
    parts = test_dir.relative_to(TESTS).parts
    if parts[0] == "cli":
        candidate = ROOT / "exolab" / Path(*parts)
    elif parts[0] in SIDES:
        candidate = ROOT / Path(*parts)
    else:
        return None
    if (candidate / "__init__.py").exists():
        return candidate
    module = candidate.with_suffix(".py")
    return module if module.exists() else None


def folders_with_code() -> list[Path]:
    return sorted(
        folder
        for folder in TESTS.rglob("*")
        if folder.is_dir() and folder.name != "__pycache__" and any(folder.glob("*.py"))
    )


def test_every_test_folder_mirrors_a_source_package_or_module() -> None:
    strays = [
        f"tests/{folder.relative_to(TESTS)}"
        for folder in folders_with_code()
        if folder.relative_to(TESTS).parts[0] not in CROSS_CUTTING
        and mirrored_source(folder) is None
    ]
    assert strays == [], (
        "a test folder must mirror the source it tests: tests/emulator/X for emulator/X, "
        "tests/devices/X for devices/X, tests/scenarios/X for scenarios/X, tests/cli for "
        f"exolab/cli, tests/ for the project as a whole; move the tests in {strays}"
    )


def test_every_test_folder_is_a_package() -> None:
    loose = [
        f"tests/{folder.relative_to(TESTS)}"
        for folder in folders_with_code()
        if not (folder / "__init__.py").exists()
    ]
    assert loose == [], f"add an __init__.py to {loose} (tests import each other as tests.…)"


def test_the_rule_knows_a_stray_from_a_mirror() -> None:
    assert mirrored_source(TESTS / "emulator" / "smtp") == ROOT / "emulator" / "smtp"
    assert mirrored_source(TESTS / "emulator" / "smtp" / "mx") == ROOT / "emulator/smtp/mx.py"
    assert mirrored_source(TESTS / "cli") == ROOT / "exolab" / "cli"
    assert mirrored_source(TESTS / "emulator" / "directsend") is None
    assert mirrored_source(TESTS / "helpers") is None
