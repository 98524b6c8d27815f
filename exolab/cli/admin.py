"""`exolab admin 'CMDLET …' --data DIR`: an administrator's PowerShell, applied to a running lab.

Pasted from Microsoft's pages (``Set-CASMailbox -Identity scanner@contoso.com
-SmtpClientAuthenticationDisabled $false``) and mapped to the tenant settings
the lab models (``exolab.emulator.admin.shell``; docs/guide/cmdlets.md lists
them); a cmdlet or parameter the lab does not model is refused with the list of
what it knows.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from exolab.cli.common import UsageError, add_data_flag, lab_client
from exolab.labclient import LabClient


def _run(args: argparse.Namespace) -> int:
    from exolab.emulator.admin.cmdlets import CmdletError
    from exolab.emulator.admin.shell import assignments
    from exolab.emulator.tenant import TenantError, parse_tenant

    client = lab_client(args.data)
    client.check_running()
    try:
        tenant = parse_tenant(client.tenant_document(), f"the lab at {client.api_url}")
        items = assignments(" ".join(args.cmdlet), tenant, _lab_now(client))
    except (CmdletError, TenantError) as exc:
        raise UsageError(str(exc)) from None
    if args.dry_run:
        print(" ".join(f"'{i}'" for i in items))
        return 0
    for item in client.set_settings(items):
        print(f"set {item}")
    return 0


def _lab_now(client: LabClient) -> datetime | None:
    """The running lab's clock: Add-HVEAppAccess takes effect a set time after it is run."""
    answer = client.get_api("/api/console/state")
    clock = answer.body.get("clock") if answer.ok and isinstance(answer.body, dict) else None
    now = clock.get("now") if isinstance(clock, dict) else None
    return datetime.fromisoformat(now) if isinstance(now, str) else None


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "admin", help="apply an Exchange Online / Entra cmdlet to a running lab"
    )
    parser.add_argument(
        "cmdlet",
        nargs="+",
        metavar="CMDLET",
        help="e.g. 'Set-TransportConfig -SmtpClientAuthenticationDisabled $false' (quote it)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the settings it maps to; change nothing"
    )
    add_data_flag(parser)
    parser.set_defaults(handler=_run)
