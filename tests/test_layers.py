"""The layers of docs/guide/architecture.md are checked, not only drawn.

The contracts live in pyproject.toml ([tool.importlinter]); import-linter
reads the real import graph, lazy and type-checking imports included. The
second test proves the check bites: a module that breaks a layer makes it fail.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_every_layer_contract_is_kept() -> None:
    result = lint_imports()
    assert result.returncode == 0, result.stdout[result.stdout.find("Broken contracts") :]
    assert "0 broken" in result.stdout


def test_a_device_module_importing_the_emulator_breaks_the_contract() -> None:
    probe = ROOT / "devices" / "_layer_probe.py"
    probe.write_text('"""Deliberately wrong."""\n\nimport exolab.emulator.server  # noqa: F401\n')
    try:
        result = lint_imports()
    finally:
        probe.unlink()
    assert result.returncode != 0
    assert "exolab.devices._layer_probe -> exolab.emulator.server" in result.stdout


def test_every_source_folder_is_a_package() -> None:
    """A folder without __init__.py is a namespace package that the layer check never sees."""
    loose = [
        str(folder.relative_to(ROOT))
        for side in ("emulator", "devices", "scenarios", "exolab/cli")
        for folder in [ROOT / side, *(ROOT / side).rglob("*")]
        if folder.is_dir() and any(folder.glob("*.py")) and not (folder / "__init__.py").exists()
    ]
    assert loose == []
