"""The `exolab` command line.

Each sub-command lives in its own module in this package and exposes
``register(subparsers)``; the module list is discovered, so adding a command
never means editing a central switch. Exit codes: 0 success, 1 a negative
outcome the command reports (a rejected send, a failing scenario), 2 bad
input (flags, files, a data directory or store that cannot be used, no lab
running), 130 interrupted, 141 stdout closed early (a listing piped into
``head``: 128 + SIGPIPE, what a shell reports for any program that stops
there, so ``set -o pipefail`` scripts see exolab as they see ``cat``).

Errors of the layers below that mean "this input cannot be used" are
translated here, once, into one line on stderr: no traceback for a user.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import pkgutil
import shlex
import sys
from collections.abc import Sequence

from exolab.cli.common import CommandParser, UsageError, invocation
from exolab.labclient import LabClientError, NoLabRunning

SIGPIPE_EXIT = 141


def input_errors() -> tuple[type[Exception], ...]:
    """What main() reports as one line and exit code 2.

    Asked only once a command has failed: the store loads slowly, and a command
    that never opened it cannot have raised its error.
    """
    from exolab.emulator.store import StoreError

    return (UsageError, LabClientError, StoreError)


class VersionAction(argparse.Action):
    """``--version``: the installed package's version, read only when asked for.

    argparse's own version action wants the text when the parser is built, and
    reading a package's metadata loads importlib.metadata for every command.
    """

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS) -> None:
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help="show program's version number and exit",
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        from exolab import __version__

        print(f"exolab {__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="exolab",
        description="An offline Microsoft 365 / Exchange Online lab for devices that send mail.",
    )
    parser.add_argument("--version", action=VersionAction)
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=CommandParser
    )
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "common":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return SIGPIPE_EXIT
    except Exception as exc:
        if not isinstance(exc, input_errors()):
            raise
        print(f"exolab {args.command}: {_one_line(exc)}", file=sys.stderr)
        return 2
    if argv is None:
        _leave_objects_to_exit()
    return code


def _leave_objects_to_exit() -> None:
    """Called as the program itself (its own command line), the process ends next: skip the
    interpreter's final cycle collection over every object the command made (half a second
    after a catalog run). Objects still go by reference counting, and every file the
    command wrote is closed; a caller passing ``argv`` (a test) keeps its heap collectable."""
    gc.freeze()


def _one_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if isinstance(exc, NoLabRunning):
        lines.append(
            f"start one with: {invocation()} serve --data {shlex.quote(str(exc.data_dir))}"
        )
    return "; ".join(lines) or type(exc).__name__


def _silence_stdout() -> None:
    """The reader left: point stdout at /dev/null so the final flush at exit cannot raise."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file descriptor (captured in a test)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
