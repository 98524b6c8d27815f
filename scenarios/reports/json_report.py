"""The JSON report: one object with the run's totals and every scenario's result."""

from __future__ import annotations

import json
from collections.abc import Sequence

from exolab.scenarios.result import ScenarioResult


def render_json(results: Sequence[ScenarioResult], wall_seconds: float) -> str:
    passed = sum(r.passed for r in results)
    document = {
        "total": len(results),
        "passed": passed,
        "failed": len(results) - passed,
        "wall_seconds": round(wall_seconds, 3),
        "scenarios": [r.to_json() for r in results],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
