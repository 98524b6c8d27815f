"""`exolab signin CODE --user ADDR`: a person approves a device code on the running lab.

This is what a user does at microsoft.com/devicelogin: the device shows a
code, someone signs in for it. The command reads ``DIR/endpoints.json``,
trusts the lab CA and POSTs to the token service's deviceauth page
(``https://login.microsoftonline.com/common/oauth2/deviceauth``, JSON answer).
``--list`` shows the codes waiting for a person. Exit 0 approved, 1 refused,
2 bad input or no running lab.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
from pathlib import Path
from typing import Any

import aiohttp

from exolab.cli.common import UsageError, add_data_flag

HOST = "login.microsoftonline.com"


def token_service(data: Path) -> tuple[str, int, Path]:
    """(address, bound port, CA file) of the running lab's token service."""
    path = data / "endpoints.json"
    try:
        doc = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: not found; is `exolab serve --data {data}` running?") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a readable endpoints.json ({exc})") from None
    entry = (doc.get("endpoints") or {}).get(HOST)
    if not isinstance(entry, dict) or "443" not in entry.get("ports", {}):
        raise UsageError(f"{path}: endpoints.{HOST}.ports.443 missing (token service not running)")
    ca = doc.get("ca_pem")
    if not ca:
        raise UsageError(f"{path}: ca_pem missing")
    return str(entry["address"]), int(entry["ports"]["443"]), Path(ca)


async def call(
    data: Path, method: str, path: str, form: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    address, port, ca = token_service(data)
    ctx = ssl.create_default_context(cafile=str(ca))
    headers = {"Accept": "application/json"}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session,
            session.request(
                method,
                f"https://{address}:{port}{path}",
                data=form,
                ssl=ctx,
                server_hostname=HOST,
                headers=headers,
            ) as resp,
        ):
            body: dict[str, Any] = await resp.json(content_type=None)
            return resp.status, body
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise UsageError(f"the token service at {address}:{port} did not answer ({exc})") from None


def _run(args: argparse.Namespace) -> int:
    if args.list:
        _, body = asyncio.run(call(args.data, "GET", "/_lab/devicecodes"))
        pending = body.get("pending", [])
        if args.json:
            print(json.dumps(pending, indent=2))
        for code in [] if args.json else pending:
            print(f"{code['user_code']}  app {code['client_id']}  scope {code['scope']}  "
                  f"expires {code['expires']}")  # fmt: skip
        if not pending and not args.json:
            print("no device code is waiting for a sign-in")
        return 0
    if not args.code or not args.user:
        raise UsageError("give CODE and --user ADDRESS (or --list)")
    form = {"user_code": args.code, "user": args.user}
    if args.password is not None:
        form["password"] = args.password
    status, body = asyncio.run(call(args.data, "POST", "/common/oauth2/deviceauth", form))
    if args.json:
        print(json.dumps(body, indent=2))
    else:
        print(body.get("message", body))
    return 0 if status == 200 and body.get("ok") else 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "signin",
        help="approve a device code as a user would at microsoft.com/devicelogin",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("code", nargs="?", metavar="CODE", help="the user code the device shows")
    parser.add_argument("--user", metavar="ADDRESS", help="who signs in, e.g. alice@contoso.com")
    parser.add_argument("--password", help="check this password too (optional in the lab)")
    parser.add_argument("--list", action="store_true", help="list codes waiting for a person")
    parser.add_argument("--json", action="store_true", help="print the JSON answer")
    add_data_flag(parser)
    parser.set_defaults(handler=_run)
