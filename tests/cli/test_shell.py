"""The command line as a shell user meets it: --version, --help, pipes, progress on a terminal only."""

from __future__ import annotations

import argparse
import json
import os
import subprocess

import pytest

from exolab import __version__
from exolab.cli import SIGPIPE_EXIT, build_parser
from tests.cli.processes import EXOLAB, ROOT, exolab

SCENARIO = ROOT / "scenarios" / "catalog" / "auth" / "tenant-disabled.toml"


def _commands(parser: argparse.ArgumentParser | None = None) -> dict[str, argparse.ArgumentParser]:
    parser = parser or build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_version_names_the_installed_package() -> None:
    proc = exolab("--version")
    assert (proc.returncode, proc.stdout) == (0, f"exolab {__version__}\n")
    assert __version__ != "0+unknown"  # the package is installed, so its metadata has a version


@pytest.mark.parametrize("command", sorted(_commands()))
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    with pytest.raises(SystemExit) as stop:
        parser.parse_args([command, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: exolab {command}")
    # the parser that showed the help: a command may add its flags only when it is used
    undocumented = [
        action.option_strings or action.dest
        for action in _commands(parser)[command]._actions
        if not action.help
    ]
    assert undocumented == [], f"exolab {command}: flags without a help text"


def test_every_command_says_what_it_is_for() -> None:
    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert all(choice.help for choice in sub._choices_actions)


@pytest.mark.parametrize(
    "argv", [["profiles"], ["profiles", "--json"], ["profiles", "--quirks"], ["run", "--list"]]
)
def test_a_listing_into_a_closed_pipe_exits_quietly(argv: list[str]) -> None:
    """`exolab profiles | head -1`: the reader is gone before the listing ends.

    The read end is closed before the process starts, so its first write
    fails exactly as it does after `head` has read its lines and exited.
    """
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run(
            [*EXOLAB, *argv], cwd=ROOT, stdout=write, stderr=subprocess.PIPE, text=True,
            timeout=120, check=False,
        )  # fmt: skip
    finally:
        os.close(write)
    assert proc.stderr == ""
    assert proc.returncode == SIGPIPE_EXIT == 128 + 13


def test_progress_only_on_a_terminal_or_when_asked() -> None:
    quiet = exolab("run", str(SCENARIO))
    assert quiet.returncode == 0, quiet.stderr
    assert "[1/1]" not in quiet.stderr and "\033[" not in quiet.stderr
    assert "tenant-disabled" in quiet.stdout
    asked = exolab("run", str(SCENARIO), "--progress")
    assert asked.returncode == 0, asked.stderr
    assert "[1/1]" in asked.stderr and "\033[" not in asked.stderr  # lines, not a redrawn bar


@pytest.mark.parametrize("argv", [["profiles", "--json"], ["profiles", "--quirks", "--json"]])
def test_json_lines_are_json(argv: list[str]) -> None:
    proc = exolab(*argv)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert rows and all("name" in row for row in rows)


def test_the_program_leaves_its_objects_to_exit_and_a_caller_keeps_them(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run as the program (no argv), the command's objects are frozen out of the interpreter's
    final cycle collection (half a second after a catalog run); a caller passing argv, such
    as a test, keeps its heap collectable."""
    import gc

    from exolab.cli import main

    gc.unfreeze()
    try:
        assert main(["profiles"]) == 0
        assert gc.get_freeze_count() == 0
        monkeypatch.setattr("sys.argv", ["exolab", "profiles"])
        assert main() == 0
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert "starttls-modern" in capsys.readouterr().out
