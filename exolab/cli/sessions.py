"""`exolab sessions [ID]`: every connection the lab saw, with its outcome; one with its transcript.

``--auth-report`` prints the SMTP AUTH clients report instead (per sender: Basic
or OAuth sign-ins, TLS versions, messages sent), as a table, ``--csv`` or ``--json``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from exolab.cli.common import UsageError, add_data_flag
from exolab.cli.messages import open_store

if TYPE_CHECKING:
    from exolab.emulator.api.auth_report import AuthClientRow
    from exolab.emulator.store import SessionRecord

COLUMNS = ("ID", "ENDPOINT", "CLIENT", "PUBLIC", "TLS", "IDENTITY", "OUTCOME")


def _row(s: SessionRecord) -> tuple[str, ...]:
    from exolab.emulator.store.views import shown

    return (
        str(s.id),
        shown(f"{s.endpoint}:{s.port}"),
        shown(s.client),
        shown(s.public_ip),
        s.tls_version or "-",
        shown(s.identity or "-"),
        shown(s.outcome),
    )


def table(found: Sequence[SessionRecord]) -> list[str]:
    """The listing, each column as wide as its widest value: a long host name shifts no column."""
    rows = [COLUMNS, *(_row(s) for s in found)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS) - 1)]
    out = []
    for r in rows:
        cells = [r[0].rjust(widths[0])] + [
            c.ljust(w) for c, w in zip(r[1:-1], widths[1:], strict=True)
        ]
        out.append("  ".join([*cells, r[-1]]))
    return out


def detail(s: SessionRecord) -> list[str]:
    """One session as text: who, how, the outcome, the notes, then the transcript."""
    from exolab.emulator.store.views import shown

    out = [
        f"session {s.id}: {shown(s.endpoint)}:{s.port}  {shown(s.outcome)}",
        f"  client    {shown(s.client)} (public {shown(s.public_ip)}"
        + (f", site {shown(s.site)})" if s.site else ")"),
        f"  TLS       {s.tls_version or '-'} {shown(s.cipher or '')}".rstrip(),
        f"  identity  {shown(s.identity or '-')} {shown(s.auth_method or '')}".rstrip(),
        f"  started   {s.started_at.isoformat()}",
    ]
    out += [f"  note      {shown(n)}" for n in s.notes]
    out.append("")
    arrows = {"C": "→", "S": "←"}
    out += [f"{x.t:8.3f} {arrows.get(x.dir, '·')} {shown(x.line)}" for x in s.transcript]
    return out


REPORT_COLUMNS = ("SENDER", "PROTOCOL", "BASIC", "OAUTH", "TLS", "MESSAGES", "LAST SEEN")


def report_table(rows: Sequence[AuthClientRow]) -> list[str]:
    """The SMTP AUTH clients report as aligned columns, most messages first."""
    from exolab.emulator.api.auth_report import TLS_LABELS
    from exolab.emulator.store.views import shown

    cells = [REPORT_COLUMNS] + [
        (
            shown(r.sender),
            r.protocol,
            str(r.basic_sign_ins),
            str(r.oauth_sign_ins),
            " ".join(TLS_LABELS.get(v, v) for v in r.as_json()["tls_versions"]),
            str(r.messages),
            r.last_seen.isoformat() if r.last_seen else "-",
        )
        for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(REPORT_COLUMNS))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]


def _report(args: argparse.Namespace) -> int:
    from exolab.emulator.api.auth_report import auth_clients_report, report_csv

    if args.id is not None:
        raise UsageError("--auth-report covers every session; give no session id")
    store = open_store(args.data)
    try:
        rows = auth_clients_report(store.sessions())
    finally:
        store.close()
    if args.csv:
        print(report_csv(rows), end="")
    elif args.json:
        print(json.dumps([r.as_json() for r in rows], indent=2, ensure_ascii=False))
    elif not rows:
        print("no SMTP AUTH sign-ins")
    else:
        print("\n".join(report_table(rows)))
    return 0


def _run(args: argparse.Namespace) -> int:
    from exolab.emulator.capture.files import CaptureFiles, captures_dir
    from exolab.emulator.store.views import session_json

    if args.auth_report:
        return _report(args)
    if args.csv:
        raise UsageError("--csv goes with --auth-report")
    store = open_store(args.data)
    try:
        found = store.sessions(id=args.id) if args.id is not None else store.sessions()
    finally:
        store.close()
    if args.id is not None and not found:
        raise UsageError(f"no session {args.id} in {args.data}")
    if args.json:
        files = CaptureFiles(captures_dir(args.data))
        shapes = [session_json(s, files.of(s.id)) for s in found]
        document = shapes[0] if args.id is not None else shapes
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    if not found:
        print("no sessions")
        return 0
    print("\n".join(detail(found[0]) if args.id is not None else table(found)))
    return 0


def _session_id(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > 2**63 - 1:
        raise argparse.ArgumentTypeError(f"{text!r}: a session id is a whole number")
    return int(text)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("sessions", help="list the sessions the lab recorded")
    add_data_flag(parser)
    parser.add_argument(
        "id", nargs="?", type=_session_id, help="show this session with its transcript"
    )
    parser.add_argument("--json", action="store_true", help="print JSON (with transcripts)")
    parser.add_argument(
        "--auth-report",
        action="store_true",
        help="the SMTP AUTH clients report: per sender, Basic/OAuth sign-ins, TLS versions, messages",
    )
    parser.add_argument("--csv", action="store_true", help="with --auth-report: print it as CSV")
    parser.set_defaults(handler=_run)
