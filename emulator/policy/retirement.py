"""The Client Submission basic-auth retirement (Exchange Team blog, January 27, 2026).

Unchanged through December 2026; from ``BasicAuthRetirement.DisabledByDefaultFrom``
basic SMTP AUTH is off by default (existing tenants may turn it back on:
``ReEnabled``; tenants created after the date start without it, and the same
switch is honoured); from ``RemovedFrom`` it is gone whatever the switch.
The lab date is the clock's, so ``--as-of 2027-01-15`` shows the flip.

Order of checks (CHOSEN; Microsoft documents none), all before the password is
looked at, because each is a protocol-level block like an authentication policy:

1. final removal (``RemovedFrom`` reached): ``550 5.7.30``, whatever ``ReEnabled``;
2. default-off phase (``DisabledByDefaultFrom`` reached, not ``ReEnabled``): the
   reply ``DefaultOffReply`` chooses, ``535 5.7.139 … basic authentication is
   disabled.`` by default (the reply Exchange sends today when a policy blocks
   basic auth) or ``550 5.7.30``;
3. then ``basic_auth_blocked_by_policy`` and every later rule (auth.py), so a
   wrong password or a tenant-disabled switch is only reported once basic auth
   itself is allowed.
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
        reply = (
            catalog.AUTH_BASIC_RETIRED
            if plan.default_off_reply == "5.7.30"
            else catalog.AUTH_BASIC_DEFAULT_OFF
        )
        return Verdict(
            reply,
            "basic_auth_retired",
            f"lab date {today}: basic SMTP AUTH off by default since "
            f"{plan.disabled_by_default_from} for {who} tenants and not ReEnabled "
            f"(DefaultOffReply={plan.default_off_reply})",
        )
    return None
