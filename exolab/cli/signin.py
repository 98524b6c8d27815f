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
import json

from exolab.cli.common import UsageError, add_data_flag, lab_client
from exolab.labclient import Answer

DEVICEAUTH = "/common/oauth2/deviceauth"


def _body(answer: Answer) -> dict[str, object]:
    if not isinstance(answer.body, dict):
        raise UsageError(f"the token service answered HTTP {answer.status} without a JSON object")
    return answer.body


def _run(args: argparse.Namespace) -> int:
    import asyncio

    client = lab_client(args.data)
    if args.list:
        body = _body(asyncio.run(client.token_service_call("GET", "/_lab/devicecodes")))
        pending = body.get("pending") or []
        assert isinstance(pending, list)
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
    answer = asyncio.run(client.token_service_call("POST", DEVICEAUTH, form))
    body = _body(answer)
    if args.json:
        print(json.dumps(body, indent=2))
    else:
        print(body.get("message", body))
    return 0 if answer.status == 200 and body.get("ok") else 1


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
