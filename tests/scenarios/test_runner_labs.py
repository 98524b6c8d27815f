"""A scenario's lab runs every Exchange-side service (not the lab's own API; the token service
only for a device that gets OAuth tokens), its MX checking SPF without a helper process."""

from __future__ import annotations

from exolab.emulator.server import default_services
from exolab.emulator.smtp.mx import MxService
from exolab.emulator.tenant import load_default_tenant
from exolab.scenarios.loader import find_scenario
from exolab.scenarios.runner import RunOptions, lab_services, run_all


def test_every_exchange_service_runs_and_the_mx_checks_spf_in_the_lab_process() -> None:
    tenant = load_default_tenant()
    ours = lab_services(tenant)
    everything = [s.name for s in default_services(tenant)]
    assert [s.name for s in ours] == [n for n in everything if n != "api"]
    assert {"dns", "submission", "entra", "mx", "hve", "acs"} <= set(everything)
    (mx,) = [s for s in ours if isinstance(s, MxService)]
    assert mx._spf == "thread"


def test_the_token_service_runs_only_for_a_device_that_gets_oauth_tokens() -> None:
    tenant = load_default_tenant()
    everything = [s.name for s in lab_services(tenant)]
    assert [s.name for s in lab_services(tenant, oauth=False)] == [
        n for n in everything if n != "entra"
    ]


async def test_oauth_and_basic_scenarios_behave_as_documented_with_and_without_it() -> None:
    names = ("oauth-device-code-delivers", "oauth-app-only-delivers", "modern-587-inside")
    items = [find_scenario(n) for n in names]
    results = await run_all(items, RunOptions(jobs=3))
    assert {r.id: r.status for r in results} == {i.scenario.id: "passed" for i in items}


async def test_spf_pass_and_fail_scenarios_still_behave_as_documented() -> None:
    items = [find_scenario(n) for n in ("spf-listed-site", "unlisted-site", "dynamic-ip-site")]
    results = await run_all(items, RunOptions(jobs=3))
    assert {r.id: r.status for r in results} == {i.scenario.id: "passed" for i in items}


async def test_the_runner_runs_the_tenant_and_device_the_loader_built() -> None:
    """Checking a file builds its tenant and device; the runner uses those, not a second build,
    and observes the same as with a fresh build."""
    from dataclasses import replace

    from exolab.scenarios.world import build_world

    item = find_scenario("envelope-sender-not-login")
    assert item.world is not None
    fresh = build_world(item.scenario, str(item.path))
    assert (item.world.tenant, item.world.profile) == (fresh.tenant, fresh.profile)
    built, unbuilt = await run_all([item, replace(item, world=None)], RunOptions(jobs=2))
    assert built.status == unbuilt.status == "passed"
    observed = [r.observation for r in (built, unbuilt) if r.observation is not None]
    seen = [
        [(a.outcome, a.stage, a.code, a.enhanced, a.text) for a in o.attempts] for o in observed
    ]
    assert len(seen) == 2
    assert seen[0] == seen[1] and seen[0]
