"""JUnit XML (the format CI systems read), built with the standard library's ElementTree."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from exolab.scenarios.result import ScenarioResult


def render_junit(results: Sequence[ScenarioResult], wall_seconds: float) -> str:
    suite = ET.Element(
        "testsuite",
        name="exolab scenarios",
        tests=str(len(results)),
        failures=str(sum(r.status == "failed" for r in results)),
        errors=str(sum(r.status == "error" for r in results)),
        time=f"{wall_seconds:.3f}",
    )
    for result in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"scenarios.{result.group or 'catalog'}",
            name=result.id,
            time=f"{result.seconds:.3f}",
        )
        if result.status == "failed":
            message = "; ".join(d.render() for d in result.differences)
            node = ET.SubElement(case, "failure", message=message, type="ExpectationMismatch")
            node.text = _detail(result)
        elif result.status == "error":
            node = ET.SubElement(case, "error", message=result.error or "", type="ScenarioError")
            node.text = result.error or ""
        out = ET.SubElement(case, "system-out")
        out.text = _transcript(result)
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def _detail(result: ScenarioResult) -> str:
    lines = [f"expected: {result.expected_summary()}", f"got:      {result.got_summary()}"]
    lines += [f"  - {d.render()}" for d in result.differences]
    return "\n".join(lines)


def _transcript(result: ScenarioResult) -> str:
    attempt = result.subject()
    if attempt is None:
        return ""
    return "\n".join(f"{ln.t:8.3f} {ln.dir} {ln.line}" for ln in attempt.transcript)
