"""The fault routes of the lab API: the write guard, validation, counters, clear."""

from __future__ import annotations

from typing import Any

import aiohttp

from exolab.emulator.server import Lab
from tests.emulator.api.test_api import _auth, _get, _post, lab  # noqa: F401  (fixture)


async def _post_without_token(lab: Lab, path: str, body: object) -> int:  # noqa: F811
    url = f"{lab.context.endpoints.api}{path}"
    async with aiohttp.ClientSession() as http, http.post(url, json=body) as r:
        return r.status


async def test_writes_need_the_token(lab: Lab) -> None:  # noqa: F811
    rule = {"fault": {"Stage": "eod", "Reply": "4.7.500"}}
    assert await _post_without_token(lab, "/api/faults", rule) == 401
    assert await _post_without_token(lab, "/api/faults/clear", {}) == 401
    assert lab.context.tenant.fault == ()


async def test_add_list_clear(lab: Lab) -> None:  # noqa: F811
    status, body = await _post(
        lab, "/api/faults", {"fault": {"Stage": "eod", "Reply": "4.7.500", "Count": 1}}
    )
    assert status == 200 and body["fault"]["Name"] == "fault-1"
    status, body = await _post(
        lab, "/api/faults", {"fault": {"Name": "rst", "Stage": "mail", "Action": "reset"}}
    )
    assert status == 200
    status, listing = await _get(lab, "/api/faults")
    assert status == 200 and [(r["Name"], r["Fired"], r["Matched"]) for r in listing] == [
        ("fault-1", 0, 0),
        ("rst", 0, 0),
    ]
    status, tenant = await _get(lab, "/api/tenant")
    assert [f["Name"] for f in tenant["Fault"]] == ["fault-1", "rst"]
    status, body = await _post(lab, "/api/faults/clear", {"name": "rst"})
    assert (status, body["removed"]) == (200, 1)
    status, body = await _post(lab, "/api/faults/clear", {})
    assert (status, body["removed"]) == (200, 1)
    assert lab.context.tenant.fault == ()


async def test_bad_rules_are_400_with_the_reason(lab: Lab) -> None:  # noqa: F811
    cases: list[tuple[Any, str]] = [
        ({"fault": {"Stage": "eod", "Reply": "4.9.99"}}, "no catalog reply"),
        ({"fault": {"Stage": "nowhere", "Reply": "4.7.500"}}, "Stage"),
        ({"fault": {"Stage": "mail", "Action": "lose_250"}}, "lose_250 is for Stage eod"),
        ({"fault": "eod"}, "expected"),
        ([1, 2], "expected"),
    ]
    for body, reason in cases:
        status, answer = await _post(lab, "/api/faults", body)
        assert status == 400 and reason in answer["error"], (body, answer)
    status, _ = await _post(
        lab, "/api/faults", {"fault": {"Name": "a", "Stage": "eod", "Action": "reset"}}
    )
    status, answer = await _post(
        lab, "/api/faults", {"fault": {"Name": "a", "Stage": "eod", "Action": "reset"}}
    )
    assert status == 400 and "fault names must be unique" in answer["error"]


async def test_tenant_set_reaches_fault_rules(lab: Lab) -> None:  # noqa: F811
    status, _ = await _post(
        lab, "/api/tenant/set", {"set": ["Fault[x].Stage=rcpt", 'Fault[x].Reply="4.7.500"']}
    )
    assert status == 200 and lab.context.tenant.fault[0].name == "x"
