"""`exolab fleet`: many simulated devices (a mix of profiles and sites) against a running lab.

One process, one event loop, no thread per device: each device is one
coroutine that sends its scans one after another. It answers the vendor's
question "with this fault rule, how many scans does my fleet lose or send
twice?": outcomes by kind, attempts, duplicates (asked of the lab, which
knows what it stored), latency percentiles overall and per stage (read from
each send's transcript), and the lab's own memory (asked of its API).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from exolab.cli.common import UsageError, add_data_flag, add_progress_flag, lab_client
from exolab.labclient import LabClient, LabClientError

if TYPE_CHECKING:
    from exolab.devices import DeviceResult, LabNetwork, Profile

LIST_TIMEOUT = 60.0
"""The Message-ID listing after a large run is long; a busy lab gets time to answer it."""

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$")


@dataclass(frozen=True)
class Member:
    """One kind of device in the fleet and its share."""

    profile: Profile
    weight: float


@dataclass(frozen=True)
class Scan:
    """One scan of the run: which device sends it, and when (seconds from the start)."""

    index: int
    device: int
    at: float


def parse_mix(items: list[str]) -> list[Member]:
    """``NAME[=WEIGHT]`` items: shipped profile names with relative weights (default 1)."""
    from exolab.devices import ConfigError, load_profile

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


def parse_duration(text: str) -> float:
    """``90``, ``90s``, ``5m`` or ``1h`` as seconds."""
    match = _DURATION.match(text)
    if match is None or float(match[1]) <= 0:
        raise UsageError(f"--duration {text}: a time above 0 like 90s, 5m or 1h")
    return float(match[1]) * {"s": 1, "m": 60, "h": 3600}[match[2] or "s"]


def schedule(devices: int, rate: float | None, duration: float | None) -> list[Scan]:
    """Every scan of the run, in start order.

    Without ``duration`` each device scans once, the starts ``60/rate`` seconds
    apart (all at once without a rate). With it, scans start at ``rate`` until the
    duration is over, dealt to the devices in turn, so each device does several.
    """
    spacing = 60.0 / rate if rate else 0.0
    if duration is None:
        return [Scan(i, i, i * spacing) for i in range(devices)]
    count = max(1, int(duration / spacing - 1e-9) + 1)
    return [Scan(i, i % devices, i * spacing) for i in range(count)]


def device_user(pattern: str, users: int, device: int) -> str:
    """The mailbox device ``device`` (from 0) signs in as: ``pattern`` with n = 1 … ``users``."""
    return pattern.format(n=device % users + 1)


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p90, p99 and max of ``values`` (seconds, rounded to ms); empty: {}."""
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

    return {"p50": at(0.5), "p90": at(0.9), "p99": at(0.99), "max": round(ordered[-1], 3)}


def stage_report(results: list[DeviceResult]) -> dict[str, dict[str, float]]:
    """Latency percentiles of each stage over every send, in session order."""
    from exolab.devices.timing import STAGES, stage_times

    samples: dict[str, list[float]] = {}
    for result in results:
        for stage, times in stage_times(result.transcript).items():
            samples.setdefault(stage, []).extend(times)
    order = [s for s in STAGES if s in samples] + sorted(set(samples) - set(STAGES))
    return {stage: {**percentiles(samples[stage]), "n": len(samples[stage])} for stage in order}


async def _fleet(args: argparse.Namespace, network: LabNetwork) -> dict[str, Any]:
    import asyncio

    from exolab.devices import Settings, parse_job_spec, send_scan
    from exolab.devices.settings import parse_assignments

    mix = parse_mix(args.profile)
    rng = random.Random(args.seed)
    chosen = rng.choices(mix, weights=[m.weight for m in mix], k=args.devices)
    sites = args.site or [None]
    duration = parse_duration(args.duration) if args.duration else None
    scans = schedule(args.devices, args.rate, duration)
    job = parse_job_spec(args.job)
    users = args.users or args.devices
    settings = []
    for number, member in enumerate(chosen):
        items = list(args.set)
        if args.user_pattern:
            user = device_user(args.user_pattern, users, number)
            items += [f"username={user}", f"sender={user}"]
        settings.append(Settings.build(member.profile, parse_assignments(items), source="--set"))
    results: list[tuple[DeviceResult, float]] = []
    show = args.show_progress
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def device(number: int) -> None:
        member = chosen[number]
        for scan in scans[number :: args.devices]:
            await asyncio.sleep(max(0.0, start + scan.at - loop.time()))
            began = time.monotonic()
            result = await send_scan(
                member.profile,
                settings[number],
                job,
                network,
                recipients=args.to,
                site=sites[number % len(sites)],
                rng_seed=args.seed * 1_000_003 + scan.index,  # one Message-ID per scan
            )
            results.append((result, time.monotonic() - began))
            if show:
                print(f"\rfleet: {len(results)}/{len(scans)} scans done", end="", file=sys.stderr)

    with _settled_heap():
        await asyncio.gather(*(device(n) for n in range(min(args.devices, len(scans)))))
    ran = loop.time() - start  # the run itself: the report below is not part of it
    if show:
        print(file=sys.stderr)
    done = [r for r, _ in results]
    return {
        "devices": args.devices,
        "scans": len(done),
        "outcomes": dict(sorted(Counter(r.outcome for r in done).items())),
        "attempts": sum(r.attempts for r in done),
        "jobs": dict(sorted(Counter(r.job for r in done).items())),
        "latency": percentiles([t for _, t in results]),
        "stages": stage_report(done),
        "seconds": round(ran, 3),
        "_ids": [r.message_id for r in done],
    }


@contextlib.contextmanager
def _settled_heap() -> Iterator[None]:
    """Keep what the fleet was built from (modules, profiles, a thousand devices' settings)
    out of the cycle collector's full passes while the fleet runs: it all outlives the run,
    and each pass over it took about a tenth of a second (measured: the collector was
    about 15 % of the process's CPU for 1,000 devices). Afterwards it is collectable again."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _stored(client: LabClient) -> set[tuple[str, object]] | None:
    """(Message-ID, session id) of every message the lab holds; None when it cannot say."""
    import asyncio

    try:
        answer = asyncio.run(client.api("GET", "/api/message-ids", timeout=LIST_TIMEOUT))
    except LabClientError:
        return None
    if not answer.ok or not isinstance(answer.body, list):
        return None
    return {
        (str(pair[0]).strip().strip("<>"), pair[1])
        for pair in answer.body
        if isinstance(pair, list) and len(pair) == 2
    }


def _lab_rss(client: LabClient) -> dict[str, Any] | None:
    """The lab process's memory (``GET /api/status``) in KiB; None when it cannot say."""
    try:
        answer = client.get_api("/api/status")
    except LabClientError:
        return None
    body = answer.body if answer.ok and isinstance(answer.body, dict) else {}
    rss = body.get("rss")
    return rss if isinstance(rss, dict) else None


def _check(args: argparse.Namespace) -> None:
    if args.devices < 1:
        raise UsageError("--devices is at least 1")
    if args.rate is not None and args.rate <= 0:
        raise UsageError("--rate is above 0 (scans a minute)")
    if args.duration is not None and args.rate is None:
        raise UsageError("--duration needs --rate: scans start at that rate until it is over")
    if args.users is not None and args.users < 1:
        raise UsageError("--users is at least 1")
    if args.user_pattern is not None:
        try:
            args.user_pattern.format(n=1)
        except (KeyError, IndexError, ValueError):
            raise UsageError(
                f"--user-pattern {args.user_pattern}: use {{n}} for the number, "
                "as in scan{n:03}@contoso.com"
            ) from None


def _run(args: argparse.Namespace) -> int:
    import asyncio

    from exolab.devices import ConfigError, LabNetwork

    _check(args)
    args.show_progress = not args.json and (args.progress or sys.stderr.isatty())
    client = lab_client(args.data)
    client.check_running()
    network = LabNetwork.from_endpoints_file(client.endpoints_path)
    before = _stored(client)
    rss_before = _lab_rss(client)
    try:
        report = asyncio.run(_fleet(args, network))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    ids = {i.strip().strip("<>") for i in report.pop("_ids") if i}
    after = _stored(client)
    if before is not None and after is not None:
        copies = Counter(mid for mid, _ in after - before if mid in ids)
        report["duplicates"] = sum(n - 1 for n in copies.values() if n > 1)
    rss = _lab_rss(client)
    if rss is not None:
        report["rss"] = {
            "before_kib": (rss_before or {}).get("current_kib"),
            "after_kib": rss.get("current_kib"),
            "peak_kib": rss.get("peak_kib"),
        }
    if args.json:
        print(json.dumps(report))
        return 0
    _print(report)
    return 0


def _print(report: dict[str, Any]) -> None:
    outcomes = ", ".join(f"{k} {v}" for k, v in report["outcomes"].items())
    print(
        f"{report['devices']} devices, {report['scans']} scans in {report['seconds']:g} s: "
        f"{outcomes}; {report['attempts']} attempts"
    )
    if "duplicates" in report:
        print(f"duplicates delivered: {report['duplicates']}")
    if report["latency"]:
        print("latency (s): " + ", ".join(f"{k} {v}" for k, v in report["latency"].items()))
    for stage, figures in report["stages"].items():
        shown = ", ".join(f"{k} {v}" for k, v in figures.items() if k != "n")
        print(f"  {stage:<9} {shown} ({figures['n']} waits)")
    rss = report.get("rss")
    if rss:
        print(
            "lab RSS (MiB): "
            + ", ".join(
                f"{k.removesuffix('_kib')} {v / 1024:.0f}" for k, v in rss.items() if v is not None
            )
        )


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
    p.add_argument(
        "--duration",
        metavar="TIME",
        help="keep starting scans at --rate until this is over (90s, 5m): each device "
        "scans several times",
    )
    p.add_argument(
        "--user-pattern",
        metavar="PATTERN",
        help="each device signs in as its own mailbox: scan{n:03}@contoso.com gives device n "
        "(from 1) that username and sender; the tenant must have those mailboxes",
    )
    p.add_argument(
        "--users",
        type=int,
        metavar="K",
        help="with --user-pattern: K mailboxes shared in turn (default: one per device)",
    )
    p.add_argument("--seed", type=int, default=0, help="which profiles the devices get")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_progress_flag(p)
    p.set_defaults(handler=_run)
