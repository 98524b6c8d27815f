"""`exolab send`: one simulated device sends one scan job against the lab (or any server)."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from devices import (
    ConfigError,
    DeviceResult,
    LabNetwork,
    Profile,
    Settings,
    load_profile,
    parse_job_spec,
    send_scan,
)
from devices.job import Job
from devices.network import parse_host_port
from devices.settings import parse_assignments
from scenarios.cli.common import UsageError, add_data_flag


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
    add_data_flag(p)
    p.set_defaults(handler=run)


def _inputs(args: argparse.Namespace) -> tuple[Profile, Settings, Job, LabNetwork]:
    if bool(args.profile) == bool(args.profile_file):
        raise UsageError("give exactly one of --profile NAME or --profile-file PATH")
    profile = load_profile(args.profile or args.profile_file)
    settings = Settings.build(profile, parse_assignments(args.set), source="--set")
    job = parse_job_spec(args.job)
    if args.dns:
        network = LabNetwork.for_resolver(parse_host_port(args.dns), ca_pem=args.ca)
    else:
        network = LabNetwork.from_data_dir(args.data)
    return profile, settings, job, network


def run(args: argparse.Namespace) -> int:
    try:
        profile, settings, job, network = _inputs(args)
        result: DeviceResult = asyncio.run(
            send_scan(
                profile,
                settings,
                job,
                network,
                recipients=args.to,
                site=args.site,
                rng_seed=args.seed,
            )
        )
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print(result.render())
    return 0 if result.delivered else 1
