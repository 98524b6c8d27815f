"""`exolab serve`: run every front end of the lab until SIGTERM or Ctrl-C.

When ready it writes DIR/endpoints.json and prints one line
(``exolab ready: DIR/endpoints.json``). Ports below 1024 are used as they are
when this process may bind them, otherwise shifted by 10000 (endpoints.json
maps each real port to the bound one).

``--lan PREFIX`` serves the simulated world on addresses of a real network
(``emulator.lan``); ``--lan-interface IFACE`` lets the lab add and remove
them. The lab API stays on loopback unless ``Lab.ApiAddress`` says otherwise.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from exolab.cli.common import UsageError, add_as_of_flag, add_data_flag, lab_date

if TYPE_CHECKING:
    import asyncio

    from exolab.emulator.lab import PortPlan
    from exolab.emulator.lan import LanSetup
    from exolab.emulator.tenant import Tenant

DEFAULT_OFFSET = 10000


def may_bind_privileged() -> bool:
    """Root, or a kernel that lets anyone bind low ports."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return True
    try:
        start = int(Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text())
    except (OSError, ValueError):
        return False
    return start <= 25


def port_plan(args: argparse.Namespace) -> PortPlan:
    from exolab.emulator.lab import PortPlan

    if args.ephemeral_ports:
        return PortPlan(ephemeral=True)
    if args.port_offset is not None:
        if not 0 <= args.port_offset <= 60000:
            raise UsageError(f"--port-offset {args.port_offset}: expected 0..60000")
        return PortPlan(offset=args.port_offset)
    return PortPlan() if may_bind_privileged() else PortPlan(offset=DEFAULT_OFFSET)


def usable_data_dir(data: Path) -> Path:
    """``data``, created if needed, once a file can be written in it; else a usage error.

    Checked before anything starts, so a path under a regular file, in /proc,
    or on a read-only mount is one line naming the directory (root included,
    for whom permission bits are no obstacle but these are).
    """
    try:
        data.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=data, prefix=".exolab-probe-"):
            pass
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise UsageError(f"--data {data}: cannot be the lab's data directory ({why})") from None
    return data


def load_tenant_args(args: argparse.Namespace) -> Tenant:
    """The tenant from --tenant/--set/--as-of; a TenantError becomes a usage error (exit 2)."""
    from exolab.emulator.tenant import TenantError, load_tenant, parse_assignment

    try:
        # --lan is applied last: the addresses it adds must be the ones the lab binds.
        lan = [f"Lab.AddressRange={args.lan}"] if getattr(args, "lan", None) else []
        texts = [*(["Lab.Capture=true"] if args.capture else []), *args.set, *lan]
        assignments = [parse_assignment(text) for text in texts]
        return load_tenant(args.tenant, assignments, lab_date(args))
    except TenantError as exc:
        raise UsageError(str(exc)) from None


async def serve(tenant: Tenant, data: Path, ports: PortPlan, lan: LanSetup | None = None) -> int:
    import asyncio

    from exolab.emulator.lan import LanError

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if lan is None:
        return await _serve(tenant, data, ports, stop)
    try:
        lan.open()
    except LanError as exc:
        raise UsageError(str(exc)) from None
    try:
        return await _serve(tenant, data, ports, stop, lan)
    finally:
        # Also on SIGTERM and on a failed start: the machine is left as it was found.
        lan.close()


async def _serve(
    tenant: Tenant, data: Path, ports: PortPlan, stop: asyncio.Event, lan: LanSetup | None = None
) -> int:
    from exolab.emulator.server import Lab, LabStartError, default_services
    from exolab.emulator.store import StoreError
    from exolab.scenarios.live import LiveExplainer

    try:
        # The console explains sessions with the message catalog of `exolab explain`.
        services = default_services(tenant, explainer=LiveExplainer())
        lab = await Lab.start(tenant, data, ports=ports, services=services)
    except LabStartError as exc:
        raise UsageError(str(exc)) from None
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    async with lab:
        if lan is not None:
            hosts = lab.context.endpoints.hosts.values()
            lan.silence(int(h["ports"]["465"]) for h in hosts if "465" in h["ports"])
            for note in lan.notes:
                print(f"exolab serve: {note}", file=sys.stderr, flush=True)
        shift = "" if not ports.offset else f" (ports shifted by {ports.offset})"
        print(f"exolab ready: {lab.endpoints_path}{shift}", flush=True)
        api, token = lab.context.endpoints.api, lab.context.endpoints.extra.get("api_token")
        if api and token:
            print(f"exolab API: {api} (token for changes and secrets: {token})", flush=True)
        await stop.wait()
    print("exolab stopped", file=sys.stderr, flush=True)
    return 0


def lan_setup(args: argparse.Namespace) -> LanSetup | None:
    """The LAN plan of --lan/--lan-interface, checked before anything starts."""
    from exolab.emulator.lan import LanError, LanSetup

    if args.lan is None:
        if args.lan_interface is not None:
            raise UsageError("--lan-interface needs --lan PREFIX")
        return None
    try:
        return LanSetup(args.lan, args.lan_interface)
    except LanError as exc:
        raise UsageError(str(exc)) from None


def _run(args: argparse.Namespace) -> int:
    import asyncio

    lan = lan_setup(args)
    tenant = load_tenant_args(args)
    plan = port_plan(args)
    return asyncio.run(serve(tenant, usable_data_dir(args.data), plan, lan))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("serve", help="run the lab until SIGTERM or Ctrl-C")
    add_data_flag(parser)
    parser.add_argument(
        "--tenant", type=Path, metavar="FILE", help="a tenant file (default: contoso.com)"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one tenant setting",
    )
    add_as_of_flag(parser)
    parser.add_argument(
        "--capture",
        action="store_true",
        help="record every session as DATA/captures/ID.pcap with its TLS key log "
        "(the same as --set Lab.Capture=true; `exolab capture ID` copies one out)",
    )
    parser.add_argument(
        "--lan",
        metavar="PREFIX",
        help="serve the simulated world on addresses of this IPv4 network (e.g. 198.18.0.0/24) "
        "instead of loopback; one address per host, the lab DNS at .53 (docs/guide/lan.md)",
    )
    parser.add_argument(
        "--lan-interface",
        metavar="IFACE",
        help="with --lan: add the lab's addresses to IFACE (root) and remove them on stop",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--ephemeral-ports", action="store_true", help="bind every listener to port 0"
    )
    group.add_argument("--port-offset", type=int, metavar="N", help="add N to every real port")
    parser.set_defaults(handler=_run)
