"""``GET /api/status``: the lab process's memory, read from /proc (its own, not the caller's)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from exolab.emulator.api.status import lab_memory, memory_kib
from exolab.emulator.server import Lab
from tests.emulator.api.test_api import _get, _submit, lab  # noqa: F401  (fixture)

STATUS = """Name:\tpython
VmPeak:\t  700000 kB
VmHWM:\t  362044 kB
VmRSS:\t  198000 kB
Threads:\t4
"""


def test_memory_is_read_from_vmrss_and_vmhwm() -> None:
    assert memory_kib(STATUS) == {"current_kib": 198000, "peak_kib": 362044}
    assert memory_kib("Name:\tx\nVmRSS:\n") == {"current_kib": None, "peak_kib": None}


def test_no_proc_gives_nulls_not_a_guess(tmp_path: Path) -> None:
    assert lab_memory(tmp_path / "missing") == {"current_kib": None, "peak_kib": None}


async def test_status_reports_the_lab_processes_memory(lab: Lab) -> None:  # noqa: F811
    status, body = await _get(lab, "/api/status")
    assert status == 200
    rss = body["rss"]
    # the lab runs in this test's process: its /proc entry is the one the route read
    own = memory_kib(Path(f"/proc/{os.getpid()}/status").read_text())
    assert own["peak_kib"] is not None and rss["peak_kib"] is not None
    assert 0 < rss["current_kib"] <= rss["peak_kib"] <= own["peak_kib"]


async def test_message_ids_list_each_stored_copy_with_its_session(lab: Lab) -> None:  # noqa: F811
    await asyncio.to_thread(_submit, lab, "scanner@contoso.com", "Scan-2-Mail!")
    status, body = await _get(lab, "/api/message-ids")
    assert status == 200
    _, messages = await _get(lab, "/api/messages")
    assert body == [[m["message_id"], m["session_id"]] for m in messages]
    assert {session for _, session in body} == {1}  # every copy of the one submission
