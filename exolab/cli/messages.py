"""`exolab messages`: what arrived where (mailbox, folder, SCL, added headers)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from exolab.cli.common import UsageError, add_data_flag

if TYPE_CHECKING:
    from exolab.emulator.store import Store

NULL_SENDER = "<>"
"""How a null envelope sender (a non-delivery report's) is written on the wire: an empty
column would read as a field the lab lost."""


def open_store(data: Path) -> Store:
    """The store of a lab directory, or a clear usage error."""
    from exolab.emulator.store import STORE_FILE, Store

    path = data / STORE_FILE
    if not path.exists():
        raise UsageError(
            f"{data}: no lab store here ({STORE_FILE} missing); start one with exolab serve --data {data}"
        )
    return Store.open(path)


def _run(args: argparse.Namespace) -> int:
    from exolab.emulator.store import FOLDERS
    from exolab.emulator.store.views import (
        attachments_of,
        decoded_subject,
        message_json,
        shown,
        subject_of,
    )

    if args.folder is not None and args.folder.lower() not in {f.lower() for f in FOLDERS}:
        raise UsageError(f"--folder {args.folder!r}: expected one of {', '.join(FOLDERS)}")
    store = open_store(args.data)
    try:
        found = store.messages(mailbox=args.mailbox, folder=args.folder)
    finally:
        store.close()
    if args.json:
        print(json.dumps([message_json(m) for m in found], indent=2, ensure_ascii=False))
        return 0
    if not found:
        print("no messages")
        return 0
    print(f"{'ID':>4}  {'MAILBOX':<26} {'FOLDER':<11} {'SCL':>3}  {'FROM':<26} SUBJECT")
    for m in found:
        scl = "" if m.scl is None else str(m.scl)
        # As a mail client shows it: the decoded subject, then the attachments' file names.
        subject = shown(decoded_subject(subject_of(m)))
        names = [shown(a["filename"]) for a in attachments_of(m) if a["filename"]]
        files = f"  [{', '.join(names)}]" if names else ""
        sender = shown(m.envelope_from) or NULL_SENDER
        print(f"{m.id:>4}  {m.mailbox:<26} {m.folder:<11} {scl:>3}  {sender:<26} {subject}{files}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    subparsers.add_parser(
        "messages", help="list the messages the lab accepted", arguments=_arguments
    )


def _arguments(parser: argparse.ArgumentParser) -> None:
    """The flags: --folder's help lists the store's folders, which load with the store."""
    from exolab.emulator.store import FOLDERS

    add_data_flag(parser)
    parser.add_argument("--mailbox", metavar="ADDRESS", help="only this mailbox's messages")
    parser.add_argument("--folder", metavar="FOLDER", help=f"one of: {', '.join(FOLDERS)}")
    parser.add_argument("--json", action="store_true", help="print JSON (with headers)")
    parser.set_defaults(handler=_run)
