"""`exolab doctor FILE.pcap`: judge every SMTP conversation of a capture against Exchange Online.

Exit codes for a vendor's CI: 0 no finding, 1 findings, 2 a capture, key log
or tenant that cannot be used (one line, no traceback).

The capture reader (scapy) and the tenant model are imported only when this
command runs: every `exolab` command builds the whole parser, and scapy alone
took about half a second of each one's start.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from exolab.cli.common import UsageError


def _run(args: argparse.Namespace) -> int:
    from exolab.emulator.tenant import TenantError, load_tenant
    from exolab.scenarios.doctor import CaptureError, diagnose, render_text, stream_data

    tenant = None
    if args.tenant is not None:
        try:
            tenant = load_tenant(args.tenant)
        except TenantError as exc:
            raise UsageError(str(exc)) from None
    try:
        streams = diagnose(args.capture, args.keylog, tenant)
    except CaptureError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        doc = {"streams": [stream_data(s, args.lang) for s in streams]}
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        print(render_text(streams, args.lang), end="")
    return 1 if any(s.findings for s in streams) else 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="diagnose a device from a packet capture (pcap) against Exchange Online's rules",
    )
    parser.add_argument("capture", metavar="FILE.pcap", type=Path, help="a pcap or pcapng capture")
    parser.add_argument(
        "--keylog", type=Path, help="an NSS key log (SSLKEYLOGFILE) to read the TLS part"
    )
    parser.add_argument(
        "--lang", choices=("en", "ja"), default="en", help="language of the findings"
    )
    parser.add_argument("--json", action="store_true", help='print {"streams": [...]} as JSON')
    parser.add_argument(
        "--tenant", type=Path, help="a tenant file: accepted domains, SPF and sites to judge by"
    )
    parser.set_defaults(handler=_run)
