"""`exolab fault add|list|clear`: scripted failures in the running lab (its API).

``exolab fault add --data DIR --stage eod --reply 4.7.500 --count 1`` makes the
next message's end of data get ``451 4.7.500 Server busy``; the other matches
and actions are options. The rules are the tenant's ``[[Fault]]`` entries, so
a tenant file can hold the same rules from the start.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from exolab.cli.common import UsageError, add_data_flag, lab_client

_OPTIONS: tuple[tuple[str, str], ...] = (
    ("name", "Name"),
    ("stage", "Stage"),
    ("action", "Action"),
    ("reply", "Reply"),
    ("seconds", "Seconds"),
    ("endpoint", "Endpoint"),
    ("port", "Port"),
    ("site", "Site"),
    ("source", "Source"),
    ("user", "User"),
    ("ehlo", "Ehlo"),
    ("alert", "Alert"),
    ("count", "Count"),
    ("after", "After"),
    ("probability", "Probability"),
    ("active_from", "From"),
    ("active_until", "Until"),
)


def profile_ehlo(name: str) -> str:
    """The EHLO name a shipped profile (or profile file) sends: all a server sees of it."""
    from exolab.devices import ConfigError, load_profile

    try:
        profile = load_profile(name)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if profile.greeting.name != "hostname":
        raise UsageError(
            f"--profile {name}: the device greets with its {profile.greeting.name}, not a name "
            "of its own; match its site or --source instead"
        )
    return profile.greeting.hostname


def rule_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The ``[[Fault]]`` table the flags describe (tenant-file names, unset flags left out)."""
    if args.profile is not None:
        if args.ehlo is not None:
            raise UsageError("--profile stands for --ehlo NAME: give one of them")
        args.ehlo = profile_ehlo(args.profile)
    rule = {key: getattr(args, flag) for flag, key in _OPTIONS if getattr(args, flag) is not None}
    if "Action" not in rule:
        rule["Action"] = "reply" if "Reply" in rule else "reset"
    return rule


def _answer_or_fail(answer: Any, what: str) -> Any:
    if not answer.ok:
        body = answer.body if isinstance(answer.body, dict) else {}
        raise UsageError(f"{body.get('error') or f'HTTP {answer.status}'} ({what})")
    return answer.body


def _add(args: argparse.Namespace) -> int:
    client = lab_client(args.data)
    body = _answer_or_fail(
        client.post_api("/api/faults", {"fault": rule_from_args(args)}), "fault add"
    )
    rule = body.get("fault", {})
    if args.json:
        print(json.dumps(rule, indent=2))
    else:
        print(f"added fault {rule.get('Name')}: {_describe(rule)}")
    return 0


def _list(args: argparse.Namespace) -> int:
    client = lab_client(args.data)
    rules = _answer_or_fail(client.get_api("/api/faults"), "fault list")
    if args.json:
        print(json.dumps(rules, indent=2))
        return 0
    if not rules:
        print("no fault rules")
        return 0
    print(f"{'NAME':<16} {'FIRED':>5} {'MATCHED':>7}  RULE")
    for rule in rules:
        print(f"{rule['Name']:<16} {rule['Fired']:>5} {rule['Matched']:>7}  {_describe(rule)}")
    return 0


def _clear(args: argparse.Namespace) -> int:
    client = lab_client(args.data)
    wanted = {"name": args.name} if args.name else {}
    body = _answer_or_fail(client.post_api("/api/faults/clear", wanted), "fault clear")
    print(f"removed {body.get('removed', 0)} fault rule(s)")
    return 0


def _describe(rule: dict[str, Any]) -> str:
    action = str(rule.get("Action"))
    if action == "reply":
        action = f"reply {rule.get('Reply')}"
    elif action == "tls_alert":
        action = f"tls_alert {rule.get('Alert', 'handshake_failure')}"
    elif rule.get("Seconds"):
        action += f" {rule['Seconds']:g} s"
    where = [
        f"{k.lower()}={rule[k]}"
        for k in ("Endpoint", "Port", "Site", "Source", "User", "Ehlo")
        if k in rule
    ]
    limits = [f"{k.lower()}={rule[k]}" for k in ("Count", "After", "From", "Until") if k in rule]
    if rule.get("Probability", 1) != 1:
        limits.append(f"probability={rule['Probability']}")
    return " ".join([f"at {rule.get('Stage')}:", action, *where, *limits])


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    subparsers.add_parser(
        "fault", help="add, list or clear fault rules in the running lab", arguments=_arguments
    )


def _arguments(parser: argparse.ArgumentParser) -> None:
    """The flags: the stages, actions and alerts come from the tenant model, which loads slowly."""
    from exolab.emulator.tenant.fault import ACTIONS, ALERTS, STAGES

    actions = parser.add_subparsers(
        dest="fault_command", metavar="ACTION", required=True, help="add, list or clear"
    )

    add = actions.add_parser("add", help="add a fault rule")
    add_data_flag(add)
    add.add_argument("--stage", required=True, choices=STAGES, help="where it fires")
    add.add_argument(
        "--action", choices=ACTIONS, help="what it does (default: reply with --reply, else reset)"
    )
    add.add_argument(
        "--reply", metavar="CODE|ID|LINE", help="4.7.500, a catalog id, or a whole reply line"
    )
    add.add_argument(
        "--seconds", type=float, help="stall/slow time; lose_250: silence before closing"
    )
    add.add_argument("--name", help="the rule's name (default: fault-N)")
    add.add_argument("--endpoint", metavar="HOST", help="only on this front end")
    add.add_argument("--port", type=int, help="only on this real port")
    add.add_argument("--site", help="only for devices at this site")
    add.add_argument("--source", metavar="IP|CIDR", help="only for this client address or network")
    add.add_argument("--user", help="only for this signed-in user (or envelope sender)")
    add.add_argument(
        "--ehlo", metavar="GLOB", help="only for clients whose EHLO name matches (MFP-*)"
    )
    add.add_argument(
        "--profile",
        metavar="NAME",
        help="only for devices of this profile: --ehlo with the EHLO name the profile sends",
    )
    add.add_argument(
        "--alert", choices=ALERTS, help="tls_alert: which fatal alert (default handshake_failure)"
    )
    add.add_argument("--count", type=int, help="fire at most N times")
    add.add_argument("--after", type=int, help="let N matches pass first")
    add.add_argument("--probability", type=float, help="chance per match, from the lab seed")
    add.add_argument("--from", dest="active_from", metavar="TIME", help="only from this lab time")
    add.add_argument(
        "--until", dest="active_until", metavar="TIME", help="only before this lab time"
    )
    add.add_argument("--json", action="store_true", help="print the rule as JSON")
    add.set_defaults(handler=_add)

    listing = actions.add_parser("list", help="the rules, with how often each matched and fired")
    add_data_flag(listing)
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=_list)

    clear = actions.add_parser("clear", help="remove every rule (or one, with --name)")
    add_data_flag(clear)
    clear.add_argument("--name", help="remove only this rule")
    clear.set_defaults(handler=_clear)
