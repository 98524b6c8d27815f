"""`exolab send`: one simulated device sends one scan job against the lab (or any server)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from shlex import quote
from typing import TYPE_CHECKING

from exolab.cli.common import (
    UsageError,
    add_as_of_flag,
    add_data_flag,
    invocation,
    lab_client,
    lab_date,
)
from exolab.cli.signin import DEVICEAUTH
from exolab.labclient import LabClientError

if TYPE_CHECKING:
    from exolab.devices import DeviceResult, LabNetwork, Profile, Settings
    from exolab.devices.clock import Clock
    from exolab.devices.job import Job
    from exolab.devices.oauth.sources import UserCodePrompt


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "send",
        help="run one simulated device: send one scan job and print the transcript",
        description="Exit 0 only when the message was delivered; 1 otherwise; 2 for bad input.",
    )
    p.add_argument("--profile", help="a shipped profile name (see `exolab profiles`)")
    p.add_argument("--profile-file", type=Path, metavar="PATH", help="a profile TOML file")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SETTING=VALUE",
        help="a device setting: server, port, security, sender, username, password",
    )
    p.add_argument("--to", action="append", required=True, metavar="ADDR", help="recipient")
    p.add_argument("--site", help="the lab site the device sits in (default: the first)")
    p.add_argument(
        "--job",
        default="",
        metavar="SPEC",
        help="e.g. pages=3,format=pdf,size=2MB,subject=スキャン,filename=スキャン.pdf",
    )
    p.add_argument(
        "--dns",
        metavar="HOST:PORT",
        help="resolve the server with this DNS server instead of the lab's files",
    )
    p.add_argument("--ca", type=Path, metavar="PEM", help="with --dns: CA file to verify against")
    p.add_argument("--seed", type=int, default=0, help="RNG seed (Message-ID, page content)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--approve-as",
        metavar="ADDR",
        help="OAuth device-code profiles: sign in as this lab user when the device shows its "
        "code (otherwise approve it yourself with `exolab signin CODE --user ADDR`)",
    )
    add_as_of_flag(p, "the device clock (Date header, token expiry)")
    add_data_flag(p)
    p.set_defaults(handler=run)


def _inputs(args: argparse.Namespace) -> tuple[Profile, Settings, Job, LabNetwork]:
    from exolab.devices import LabNetwork, Settings, load_profile, parse_job_spec
    from exolab.devices.network import parse_host_port
    from exolab.devices.settings import parse_assignments

    if bool(args.profile) == bool(args.profile_file):
        raise UsageError("give exactly one of --profile NAME or --profile-file PATH")
    profile = load_profile(args.profile or args.profile_file)
    settings = Settings.build(profile, parse_assignments(args.set), source="--set")
    job = parse_job_spec(args.job)
    if args.dns:
        network = LabNetwork.for_resolver(parse_host_port(args.dns), ca_pem=args.ca)
    else:
        # A lab that is not running would look like a device timeout half a
        # minute later (its DNS never answers): say so now, in one line.
        client = lab_client(args.data)
        client.check_running()
        network = LabNetwork.from_endpoints_file(client.endpoints_path)
    return profile, settings, job, network


def _prompt(args: argparse.Namespace) -> UserCodePrompt:
    """What the device panel shows for a device code; with --approve-as, the user signs in."""

    async def sign_in(user_code: str) -> None:
        form = {"otc": user_code, "user": args.approve_as}
        try:
            answer = await lab_client(args.data).token_service_call("POST", DEVICEAUTH, form)
        except LabClientError as exc:
            print(f"  could not sign in as {args.approve_as}: {exc}", file=sys.stderr)
            return
        said = answer.body.get("message") if isinstance(answer.body, dict) else None
        print(f"  signed in as {args.approve_as}: {said or answer.status}", file=sys.stderr)

    def show(user_code: str, uri: str, message: str) -> object:
        print(f"device panel: {message}", file=sys.stderr)
        if args.approve_as:
            return sign_in(user_code)
        print(
            f"  in the lab: {invocation()} signin {user_code} --user ADDR --data {quote(str(args.data))}",
            file=sys.stderr,
        )
        return None

    return show


def device_clock(args: argparse.Namespace) -> Clock:
    """The wall clock, or one set to the lab date so the device and the lab agree on the day."""
    from exolab.devices.clock import SetClock, SystemClock

    when = lab_date(args)
    return SystemClock() if when is None else SetClock(when)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from exolab.devices import ConfigError, send_scan
    from exolab.devices.oauth.factory import token_source_for

    clock = device_clock(args)
    try:
        profile, settings, job, network = _inputs(args)
        tokens = token_source_for(
            profile,
            settings,
            network,
            clock,
            source=network.source_for(args.site) if args.site else None,
            prompt=_prompt(args),
        )
        before = None if args.dns else stored_copies(args.data)
        result: DeviceResult = asyncio.run(
            send_scan(
                profile,
                settings,
                job,
                network,
                recipients=args.to,
                site=args.site,
                rng_seed=args.seed,
                token_source=tokens,
                clock=clock,
            )
        )
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    copies = None if before is None else delivered_copies(args.data, result.message_id, before)
    if args.json:
        document = result.to_json()
        document["delivered_copies"] = copies
        print(json.dumps(document, ensure_ascii=False))
    else:
        print(result.render())
        if copies is not None and copies > 1:
            print(f"lab: {copies} copies of this job were delivered (a resend made a duplicate)")
    return 0 if result.delivered else 1


def stored_copies(data: Path) -> set[tuple[str, object]] | None:
    """(Message-ID, session id) of every message the lab holds; None when it cannot say."""
    try:
        answer = lab_client(data).get_api("/api/messages")
    except LabClientError:
        return None
    if not answer.ok or not isinstance(answer.body, list):
        return None
    return {
        (str(m.get("message_id", "")).strip().strip("<>"), m.get("session_id"))
        for m in answer.body
        if isinstance(m, dict)
    }


def delivered_copies(
    data: Path, message_id: str | None, before: set[tuple[str, object]]
) -> int | None:
    """How many sessions of this send stored its message in the lab (2+: a resend duplicated it).

    The device cannot know it: after a lost 250 it only knows it got no answer.
    The lab knows, so the app shell asks it, counting only sessions that are new
    since the send began (another send with the same seed makes the same Message-ID).
    None when the lab cannot say.
    """
    after = stored_copies(data)
    if message_id is None or after is None:
        return None
    wanted = message_id.strip().strip("<>")
    return len({session for mid, session in after - before if mid == wanted})
