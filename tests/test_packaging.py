"""An installed exolab is one import name with every data file, a command and a pytest plugin.

The wheel is built offline from this checkout and installed into a fresh
virtual environment that sees the project's dependencies but not the
editable checkout, so what is tested is what `pip install .` gives a user.
"""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA_FOLDERS = ("emulator", "devices", "scenarios")
PIP_WHEEL = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [*PIP_WHEEL, "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [built] = out.glob("exolab-*.whl")
    return built


def test_the_wheel_has_one_top_level_name_and_every_data_file(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {
        "exolab",
        f"{wheel.name.split('-py3')[0]}.dist-info",
    }
    shipped = {n.removeprefix("exolab/") for n in names}
    for folder in DATA_FOLDERS:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".toml", ".json"} and "__pycache__" not in path.parts:
                assert str(path.relative_to(ROOT)) in shipped, f"{path} is not in the wheel"
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith("entry_points.txt"))
    )
    assert b"exolab = exolab.cli:main" in entry_points
    assert b"[pytest11]\nexolab.pytest_plugin = exolab.pytest_plugin" in entry_points


def test_a_fresh_environment_runs_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The dependencies come from the project's environment (no network); exolab itself
    # only from the wheel: a plain path entry does not run the editable install's hook.
    deps = subprocess.run(
        [sys.executable, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "project-deps.pth").write_text(deps + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    version = subprocess.run(
        [str(env_dir / "bin" / "exolab"), "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert version.returncode == 0 and version.stdout.startswith("exolab "), version.stderr
    probe = (
        "import exolab.emulator.tenant as t, exolab.devices.profile as p, "
        "exolab.scenarios.loader as s, exolab.scenarios.messages as m\n"
        "assert '/site-packages/exolab/' in t.__file__, t.__file__\n"
        "assert t.load_default_tenant().tenant.name == 'contoso.com'\n"
        "assert p.load_profile('starttls-modern').name == 'starttls-modern'\n"
        "assert len(s.load_catalog()) >= 60\n"
        "assert m.fix_ids()\n"
        "print('ok')\n"
    )
    checked = subprocess.run(
        [str(python), "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert checked.stdout.strip() == "ok", checked.stderr
