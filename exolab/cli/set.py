"""`exolab set KEY=VALUE … --data DIR`: change a running lab's settings, live.

The same keys, syntax and validation as ``--set`` and the tenant file (the lab
API checks them); the next session sees the change. ``Lab.AsOf`` moves the
lab's clock.
"""

from __future__ import annotations

import argparse

from exolab.cli.common import UsageError, add_data_flag, lab_client


def _run(args: argparse.Namespace) -> int:
    from exolab.emulator.tenant import TenantError, parse_assignment

    for item in args.settings:
        try:
            parse_assignment(item)  # the syntax, before any lab is asked
        except TenantError as exc:
            raise UsageError(str(exc)) from None
    client = lab_client(args.data)
    client.check_running()
    for item in client.set_settings(list(args.settings)):
        print(f"set {item}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "set", help="change a running lab's settings live (KEY=VALUE, as --set)"
    )
    parser.add_argument(
        "settings",
        nargs="+",
        metavar="KEY=VALUE",
        help="e.g. TransportConfig.SmtpClientAuthenticationDisabled=false",
    )
    add_data_flag(parser)
    parser.set_defaults(handler=_run)
