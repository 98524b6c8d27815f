"""`exolab messages`: what arrived where (mailbox, folder, SCL, added headers)."""

from __future__ import annotations

import argparse
import json
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path
from typing import Any

from emulator.store import FOLDERS, STORE_FILE, Store, StoredMessage
from scenarios.cli.common import UsageError, add_data_flag


def open_store(data: Path) -> Store:
    """The store of a lab directory, or a clear usage error."""
    path = data / STORE_FILE
    if not path.exists():
        raise UsageError(
            f"{data}: no lab store here ({STORE_FILE} missing); start one with exolab serve --data {data}"
        )
    return Store.open(path)


def subject_of(message: StoredMessage) -> str:
    head = message.body.split(b"\r\n\r\n", 1)[0][:65536]
    value = BytesHeaderParser(policy=compat32).parsebytes(head).get("Subject")
    return str(value) if value is not None else ""


def message_json(m: StoredMessage) -> dict[str, Any]:
    return {
        "id": m.id,
        "message_id": m.message_id,
        "mailbox": m.mailbox,
        "folder": m.folder,
        "scl": m.scl,
        "envelope_from": m.envelope_from,
        "envelope_to": list(m.envelope_to),
        "subject": subject_of(m),
        "size": m.size,
        "headers": [[n, v] for n, v in m.headers_added],
        "session_id": m.session_id,
        "received_at": m.received_at.isoformat(),
    }


def _run(args: argparse.Namespace) -> int:
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
        print(
            f"{m.id:>4}  {m.mailbox:<26} {m.folder:<11} {scl:>3}  {m.envelope_from:<26} {subject_of(m)}"
        )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("messages", help="list the messages the lab accepted")
    add_data_flag(parser)
    parser.add_argument("--mailbox", metavar="ADDRESS")
    parser.add_argument("--folder", metavar="FOLDER", help=f"one of: {', '.join(FOLDERS)}")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=_run)
