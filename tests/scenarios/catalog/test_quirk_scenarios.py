"""The scenarios that give a device quirk its run behave as documented, on real sockets."""

from __future__ import annotations

from exolab.scenarios.loader import find_scenario
from exolab.scenarios.runner import RunOptions, run_all

QUIRK_SCENARIOS = (
    "starttls-before-ehlo",
    "proxy-header-before-ehlo",
    "tls11-submission",
    "tls11-legacy-opted-in",
    "tls-when-off-direct-send",
    "implicit-tls-mx",
    "oauth-security-defaults",
    "pop-before-smtp",
    "silent-device",
    "short-server-field-submission",
    "oauth-clock-behind",
    "oauth-clock-ahead",
)


async def test_quirk_scenarios_behave_as_documented() -> None:
    results = await run_all([find_scenario(name) for name in QUIRK_SCENARIOS], RunOptions(jobs=2))
    failures = {
        r.id: [d.render() for d in r.differences] or r.error for r in results if not r.passed
    }
    assert failures == {}
    silent = next(r for r in results if r.id == "silent-device")
    attempt = silent.subject()
    assert attempt is not None
    assert attempt.device_message == ""  # the panel says nothing; the session log says why
