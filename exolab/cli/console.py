"""`exolab console --data DIR`: the address of the running lab's live console, to open.

The address carries the lab's token in its fragment (``#token=…``): a browser
never sends a fragment to any server, the page keeps it for its own tab and
removes it from the address bar. Whoever has that address can change the lab,
like whoever can read endpoints.json.
"""

from __future__ import annotations

import argparse

from exolab.cli.common import add_data_flag, lab_client


def _run(args: argparse.Namespace) -> int:
    client = lab_client(args.data)
    client.check_running()
    print(client.console_url(args.lang))
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "console", help="print the address of the running lab's live console (with its token)"
    )
    parser.add_argument("--lang", choices=("en", "ja"), help="the console's language")
    add_data_flag(parser)
    parser.set_defaults(handler=_run)
