"""One line an administrator types at the Exchange Online prompt, as the lab's settings.

Every cmdlet the lab models in one place: Exchange's and Entra's switches
(``cmdlets``), one mailbox's limits (``mailbox``), the tenant's filters
(``protection``), service principals and Conditional Access (``identity``) and
High Volume Email's (``hve``), which needs the lab time for the change that
takes effect later (``Add-HVEAppAccess``). ``exolab admin``
calls this; it stays pure like the modules it joins.
"""

from __future__ import annotations

from datetime import datetime

from exolab.emulator.admin import cmdlets, hve, identity, mailbox, protection
from exolab.emulator.tenant import Tenant


def extra(now: datetime | None = None) -> tuple[cmdlets.Known, ...]:
    """The cmdlets other modules add to ``cmdlets.KNOWN``."""
    return (*mailbox.CMDLETS, *protection.CMDLETS, *identity.CMDLETS, *hve.cmdlets(now))


def known(now: datetime | None = None) -> tuple[cmdlets.Known, ...]:
    """Every cmdlet the lab models."""
    return (*cmdlets.KNOWN, *extra(now))


def assignments(text: str, tenant: Tenant, now: datetime | None = None) -> list[str]:
    """The tenant ``Key=Value`` settings one cmdlet makes; ``now`` is the lab time (None: the
    change counts as made long ago). ``ConvertTo-SecureString`` is read as the text it wraps."""
    return cmdlets.assignments(hve.unwrap_secure_strings(text), tenant, extra(now))
