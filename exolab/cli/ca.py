"""`exolab ca`: the lab root certificate, in the two formats device web pages accept.

A device that verifies the server certificate needs the lab root in its trust
store: most web pages take PEM (Base64), some only DER (binary ``.cer``/``.der``).
The command creates the lab CA in the data directory if it does not exist yet
(so a vendor can import it before the first ``exolab serve``), copies both
files to ``--out`` when given, and prints the SHA-256 fingerprint that the
device's certificate page shows after the import.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from exolab.cli.common import UsageError, add_data_flag

PEM_NAME, DER_NAME = "exolab-root-ca.pem", "exolab-root-ca.der"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "ca", help="export the lab root certificate (PEM and DER) and print its fingerprint"
    )
    add_data_flag(p)
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help=f"copy the root to DIR/{PEM_NAME} and DIR/{DER_NAME} (created if needed)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object instead of lines")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from exolab.emulator.tls import LabCA

    try:
        ca = LabCA(args.data)
    except OSError as exc:
        raise UsageError(f"--data {args.data}: {exc.strerror or exc}") from None
    pem, der = ca.pem_path, ca.der_path
    if args.out is not None:
        try:
            args.out.mkdir(parents=True, exist_ok=True)
            pem = Path(shutil.copyfile(ca.pem_path, args.out / PEM_NAME))
            der = Path(shutil.copyfile(ca.der_path, args.out / DER_NAME))
        except OSError as exc:
            raise UsageError(f"--out {args.out}: {exc.strerror or exc}") from None
    subject = ca.root.subject.rfc4514_string()
    fingerprint = ca.fingerprint()
    if args.json:
        print(
            json.dumps(
                {"pem": str(pem), "der": str(der), "subject": subject, "sha256": fingerprint}
            )
        )
        return 0
    print(f"PEM      {pem}")
    print(f"DER      {der}")
    print(f"subject  {subject}")
    print(f"SHA-256  {fingerprint}")
    return 0
