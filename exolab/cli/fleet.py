"""`exolab fleet`: many simulated devices (a mix of profiles and sites) against a running lab.

One process, one event loop, no thread per device: each device is one
``send_scan`` coroutine. It answers the vendor's question "with this fault
rule, how many scans does my fleet lose or send twice?": outcomes by kind,
attempts, duplicates (asked of the lab, which knows what it stored) and
latency percentiles.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from exolab.cli.common import UsageError, add_data_flag, lab_client
from exolab.cli.send import stored_copies
from exolab.devices import (
    ConfigError,
    DeviceResult,
    LabNetwork,
    Profile,
    Settings,
    load_profile,
    parse_job_spec,
    send_scan,
)
from exolab.devices.settings import parse_assignments


@dataclass(frozen=True)
class Member:
    """One kind of device in the fleet and its share."""

    profile: Profile
    weight: float


def parse_mix(items: list[str]) -> list[Member]:
    """``NAME[=WEIGHT]`` items: shipped profile names with relative weights (default 1)."""
    mix = []
    for item in items:
        name, _, weight = item.partition("=")
        try:
            share = float(weight) if weight else 1.0
        except ValueError:
            raise UsageError(f"--profile {item}: the weight is a number (NAME=3)") from None
        if share <= 0:
            raise UsageError(f"--profile {item}: the weight must be above 0")
        try:
            mix.append(Member(load_profile(name), share))
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
    return mix


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p90, p99 and max of ``values`` (seconds, rounded to ms); empty: {}."""
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

    return {"p50": at(0.5), "p90": at(0.9), "p99": at(0.99), "max": round(ordered[-1], 3)}


async def _fleet(args: argparse.Namespace, network: LabNetwork) -> dict[str, Any]:
    mix = parse_mix(args.profile)
    rng = random.Random(args.seed)
    chosen = rng.choices(mix, weights=[m.weight for m in mix], k=args.devices)
    sites = args.site or [None]
    spacing = 60.0 / args.rate if args.rate else 0.0
    results: list[tuple[DeviceResult, float]] = []
    done = 0
    show = sys.stderr.isatty() and not args.json

    async def one(index: int, member: Member) -> None:
        nonlocal done
        await asyncio.sleep(index * spacing)
        settings = Settings.build(member.profile, parse_assignments(args.set), source="--set")
        began = time.monotonic()
        result = await send_scan(
            member.profile,
            settings,
            parse_job_spec(args.job),
            network,
            recipients=args.to,
            site=sites[index % len(sites)],
            rng_seed=args.seed * 1_000_003 + index,  # one Message-ID per device's job
        )
        results.append((result, time.monotonic() - began))
        done += 1
        if show:
            print(f"\rfleet: {done}/{args.devices} scans done", end="", file=sys.stderr)

    await asyncio.gather(*(one(i, m) for i, m in enumerate(chosen)))
    if show:
        print(file=sys.stderr)
    outcomes = Counter(r.outcome for r, _ in results)
    return {
        "devices": args.devices,
        "outcomes": dict(sorted(outcomes.items())),
        "attempts": sum(r.attempts for r, _ in results),
        "jobs": dict(sorted(Counter(r.job for r, _ in results).items())),
        "latency": percentiles([t for _, t in results]),
        "_ids": [r.message_id for r, _ in results],
    }


def _run(args: argparse.Namespace) -> int:
    if args.devices < 1:
        raise UsageError("--devices is at least 1")
    client = lab_client(args.data)
    client.check_running()
    network = LabNetwork.from_endpoints_file(client.endpoints_path)
    before = stored_copies(args.data)
    try:
        report = asyncio.run(_fleet(args, network))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    ids = {i.strip().strip("<>") for i in report.pop("_ids") if i}
    after = stored_copies(args.data)
    if before is not None and after is not None:
        copies = Counter(mid for mid, _ in {(m, s) for m, s in after - before} if mid in ids)
        report["duplicates"] = sum(n - 1 for n in copies.values() if n > 1)
    if args.json:
        print(json.dumps(report))
        return 0
    outcomes = ", ".join(f"{k} {v}" for k, v in report["outcomes"].items())
    print(f"{report['devices']} devices: {outcomes}; {report['attempts']} attempts")
    if "duplicates" in report:
        print(f"duplicates delivered: {report['duplicates']}")
    latency = report["latency"]
    if latency:
        print("latency (s): " + ", ".join(f"{k} {v}" for k, v in latency.items()))
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("fleet", help="run many simulated devices against the running lab")
    add_data_flag(p)
    p.add_argument("--devices", type=int, required=True, metavar="N", help="how many devices")
    p.add_argument(
        "--profile",
        action="append",
        required=True,
        metavar="NAME[=WEIGHT]",
        help="a shipped profile and its share of the fleet (repeat for a mix)",
    )
    p.add_argument("--site", action="append", help="lab sites the devices sit in (round robin)")
    p.add_argument("--to", action="append", required=True, metavar="ADDR", help="recipient")
    p.add_argument(
        "--set", action="append", default=[], metavar="SETTING=VALUE", help="as for exolab send"
    )
    p.add_argument("--job", default="", metavar="SPEC", help="as for exolab send")
    p.add_argument("--rate", type=float, metavar="SCANS/MIN", help="start scans at this rate")
    p.add_argument("--seed", type=int, default=0, help="which profiles the devices get")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_run)
