"""`exolab sessions`: every connection the lab saw, with its outcome (and, in JSON, the transcript)."""

from __future__ import annotations

import argparse
import json

from exolab.cli.common import add_data_flag
from exolab.cli.messages import open_store
from exolab.emulator.capture.files import CaptureFiles, captures_dir
from exolab.emulator.store.views import session_json, shown


def _run(args: argparse.Namespace) -> int:
    store = open_store(args.data)
    try:
        found = store.sessions()
    finally:
        store.close()
    if args.json:
        files = CaptureFiles(captures_dir(args.data))
        shapes = [session_json(s, files.of(s.id)) for s in found]
        print(json.dumps(shapes, indent=2, ensure_ascii=False))
        return 0
    if not found:
        print("no sessions")
        return 0
    print(
        f"{'ID':>4}  {'ENDPOINT':<32} {'CLIENT':<15} {'PUBLIC':<15} {'TLS':<8} {'IDENTITY':<22} OUTCOME"
    )
    for s in found:
        where = f"{s.endpoint}:{s.port}"
        print(
            f"{s.id:>4}  {where:<32} {s.client:<15} {s.public_ip:<15} {s.tls_version or '-':<8} "
            f"{shown(s.identity or '-'):<22} {shown(s.outcome)}"
        )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("sessions", help="list the sessions the lab recorded")
    add_data_flag(parser)
    parser.add_argument("--json", action="store_true", help="print JSON (with transcripts)")
    parser.set_defaults(handler=_run)
