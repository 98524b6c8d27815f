"""`exolab capture SESSION_ID --out DIR`: copy one session's pcap and TLS key log out of the lab.

The lab records them when it runs with ``Lab.Capture`` on
(``exolab serve --set Lab.Capture=true``): ``DATA/captures/<id>.pcap`` and
``<id>.keys`` (NSS key log: Wireshark, tshark and ``exolab doctor --keylog``
read it as is).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from exolab.cli.common import UsageError, add_data_flag


def _run(args: argparse.Namespace) -> int:
    if not args.session_id.isdigit():
        raise UsageError(f"{args.session_id!r} is not a session id (a number: exolab sessions)")
    folder = args.data / "captures"
    pcap = folder / f"{int(args.session_id)}.pcap"
    if not pcap.is_file():
        raise UsageError(
            f"no capture of session {args.session_id} in {folder} "
            "(the lab records sessions only with Lab.Capture=true)"
        )
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        copied = [shutil.copy2(pcap, args.out / pcap.name)]
        keys = pcap.with_suffix(".keys")
        if keys.is_file():
            copied.append(shutil.copy2(keys, args.out / keys.name))
    except OSError as exc:
        raise UsageError(f"cannot copy to {args.out}: {exc.strerror}") from None
    for path in copied:
        print(path)
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "capture", help="copy one session's pcap and TLS key log out of the lab"
    )
    parser.add_argument(
        "session_id", metavar="SESSION_ID", help="the session's id (exolab sessions)"
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="where to copy them")
    add_data_flag(parser)
    parser.set_defaults(handler=_run)
