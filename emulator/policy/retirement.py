"""The Client Submission basic-auth retirement (Exchange Team blog, January 27, 2026).

Unchanged through December 2026; from ``BasicAuthRetirement.DisabledByDefaultFrom``
basic SMTP AUTH is off by default (existing tenants may turn it back on:
``ReEnabled``; tenants created after the date start without it, and the same
switch is honoured); from ``RemovedFrom`` it is gone whatever the switch.
The lab date is the clock's, so ``--as-of 2027-01-15`` shows the flip.
"""

from __future__ import annotations

from exolab.emulator.policy.facts import Credentials
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import catalog


def basic_auth_retired(creds: Credentials) -> Verdict | None:
    tenant = creds.session.tenant
    plan = tenant.basic_auth_retirement
    today = creds.session.now.date()
    if plan.removed_from is not None and today >= plan.removed_from:
        return Verdict(
            catalog.AUTH_BASIC_RETIRED,
            "basic_auth_retired",
            f"lab date {today} is on or after the final removal {plan.removed_from}",
        )
    if today >= plan.disabled_by_default_from and not plan.re_enabled:
        who = "existing" if tenant.tenant.created < plan.disabled_by_default_from else "new"
        return Verdict(
            catalog.AUTH_BASIC_RETIRED,
            "basic_auth_retired",
            f"lab date {today}: basic SMTP AUTH off by default since "
            f"{plan.disabled_by_default_from} for {who} tenants and not ReEnabled",
        )
    return None
