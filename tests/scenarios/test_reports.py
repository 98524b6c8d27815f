"""JSON, JUnit XML and HTML are well-formed and carry the differences and the transcript."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import ClassVar

from exolab.scenarios.reports import render_html, render_json, render_junit, render_table
from exolab.scenarios.result import Observation, ScenarioResult
from tests.scenarios.fakes import (
    EXPECT_TENANT,
    SESSION,
    TENANT_OFF,
    delivered,
    rejected_at_auth,
    result,
)


def results() -> list[ScenarioResult]:
    good = result(EXPECT_TENANT, Observation((rejected_at_auth(),), (), (SESSION,)))
    bad = result(EXPECT_TENANT, Observation((delivered(),)))
    return [good, bad]


def test_json_report() -> None:
    doc = json.loads(render_json(results(), 1.5))
    assert (doc["total"], doc["passed"], doc["failed"]) == (2, 1, 1)
    first, second = doc["scenarios"]
    assert first["status"] == "passed" and second["status"] == "failed"
    assert second["differences"][0]["what"] == "outcome"
    assert first["observation"]["attempts"][0]["reply_line"] == TENANT_OFF


def test_junit_report() -> None:
    root = ET.fromstring(render_junit(results(), 1.5))
    assert root.tag == "testsuite" and root.get("tests") == "2" and root.get("failures") == "1"
    cases = root.findall("testcase")
    assert cases[0].find("failure") is None
    failure = cases[1].find("failure")
    assert failure is not None and "expected rejected, got delivered" in failure.get("message", "")
    assert "250 2.0.0 OK" in (failure.text or "")


class _Checker(HTMLParser):
    VOID: ClassVar[set[str]] = {"meta", "br", "link", "img", "hr", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.external: list[str] = []
        self.bad_lines: list[str] = []
        self._in_bad = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "link", "img") and (a.get("src") or a.get("href")):
            self.external.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)
        self._in_bad = "bad" in (a.get("class") or "").split()

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, tag
        self._in_bad = False

    def handle_data(self, data: str) -> None:
        if self._in_bad:
            self.bad_lines.append(data)


def test_html_is_self_contained_balanced_and_highlights_the_failing_step() -> None:
    page = render_html(results(), 1.5, "ja")
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.stack == []
    assert checker.external == []
    assert "<style>" in page and 'lang="ja"' in page
    assert any("5.7.139" in line for line in checker.bad_lines)
    assert "認証済み SMTP" in page  # the fix, in Japanese


def test_table_shows_the_difference_with_the_reply_line() -> None:
    text = render_table(results(), 1.5)
    assert "FAIL  auth/tenant-disabled" in text
    assert "outcome: expected rejected, got delivered (250 2.0.0 OK" in text
    assert "1 of 2 scenarios behaved as documented" in text
