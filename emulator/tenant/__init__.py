"""The simulated organization: accepted domains, mailboxes, switches, sites, DNS, apps.

Loaded from a TOML tenant file that uses Microsoft's own parameter names, or
the embedded default tenant (contoso.com, the demo world) when none is given.
"""

from exolab.emulator.tenant.errors import TenantError
from exolab.emulator.tenant.loader import load_default_tenant, load_tenant, parse_tenant
from exolab.emulator.tenant.model import (
    App,
    InboundConnector,
    Mailbox,
    Site,
    Tenant,
)
from exolab.emulator.tenant.overrides import apply_overrides, parse_assignment

__all__ = [
    "App",
    "InboundConnector",
    "Mailbox",
    "Site",
    "Tenant",
    "TenantError",
    "apply_overrides",
    "load_default_tenant",
    "load_tenant",
    "parse_assignment",
    "parse_tenant",
]
