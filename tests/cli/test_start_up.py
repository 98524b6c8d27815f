"""`exolab` builds the parser of every command on every start: only what a command needs loads.

Each probe runs in a fresh interpreter (what a user's shell starts) and lists the
modules loaded once the command has done its work. The modules named here are the
ones that made every start slow: the admin cmdlets, the tenant model, the lab's
server and HTTP stack, the device simulator, and the package metadata reader.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.cli.processes import ROOT

PROBE = """
import contextlib, io, json, sys
from exolab.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main(sys.argv[1:])
print(json.dumps(sorted(sys.modules)))
"""

HEAVY = (
    "aiohttp",
    "exolab.emulator.admin.cmdlets",
    "exolab.emulator.server",
    "exolab.emulator.store",
    "exolab.emulator.tenant",
    "exolab.devices",
    "exolab.scenarios",
    "scapy",
)


def loaded_by(*argv: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_version_loads_no_part_of_the_lab() -> None:
    loaded = loaded_by("--version")
    assert [m for m in HEAVY if m in loaded] == []
    assert "asyncio" not in loaded  # only commands that run an event loop load it
    assert "importlib.metadata" in loaded  # read for the version, and only for it


def test_a_command_that_does_not_show_the_version_does_not_read_it() -> None:
    assert "importlib.metadata" not in loaded_by("set", "--help")


@pytest.mark.parametrize("argv", [["set", "--help"], ["fault", "--help"], ["profiles", "--help"]])
def test_a_command_help_loads_only_what_its_flags_name(argv: list[str]) -> None:
    loaded = loaded_by(*argv)
    assert [m for m in HEAVY if m in loaded and m != "exolab.emulator.tenant"] == []
    # the fault rules' stages, actions and alerts are the tenant model's own lists
    assert ("exolab.emulator.tenant" in loaded) == (argv[0] == "fault")


def test_run_list_loads_the_catalog_and_not_the_lab() -> None:
    loaded = loaded_by("run", "--list")
    assert "exolab.scenarios.loader" in loaded
    unwanted = ("aiohttp", "exolab.emulator.admin.cmdlets", "exolab.emulator.server", "scapy")
    assert [m for m in unwanted if m in loaded] == []
