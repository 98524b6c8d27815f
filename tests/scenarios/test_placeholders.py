"""No report, explanation or message reads ``{name}``: every placeholder gets a value."""

from __future__ import annotations

import re

import pytest

from exolab.scenarios.context import spf_with
from exolab.scenarios.explain import render_explanation
from exolab.scenarios.loader import ScenarioFile, load_catalog
from exolab.scenarios.messages import LANGS, Lang, Messages, catalog
from exolab.scenarios.reports import render_html
from exolab.scenarios.result import ScenarioResult
from exolab.scenarios.runner import RunOptions, _planned_context, _result

UNFILLED = re.compile(r"\{[a-z_]+\}")
SCENARIOS = load_catalog()


def _planned(item: ScenarioFile) -> ScenarioResult:
    context = _planned_context(item, RunOptions())
    return _result(item, 0.0, status="failed", extra={"context": context})


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("item", SCENARIOS, ids=[s.scenario.id for s in SCENARIOS])
def test_explanation_and_html_report_fill_every_placeholder(item: ScenarioFile, lang: Lang) -> None:
    result = _planned(item)
    text = render_explanation(item.scenario, result, lang)
    html = render_html([result], 0.0, lang)
    assert UNFILLED.findall(text) == []
    assert UNFILLED.findall(html) == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_filled_by_a_scenario_context(lang: Lang) -> None:
    context = _planned_context(SCENARIOS[0], RunOptions())
    msg = Messages(lang, **context, passed=1, total=2)
    left = {key: msg(key) for key in catalog(lang) if UNFILLED.search(msg(key))}
    assert left == {}


def test_spf_advice_keeps_the_addresses_already_listed() -> None:
    record = "v=spf1 ip4:203.0.113.39 include:spf.protection.outlook.com -all"
    assert spf_with(record, "198.51.100.20") == (
        "v=spf1 ip4:203.0.113.39 ip4:198.51.100.20 include:spf.protection.outlook.com -all"
    )
    assert spf_with(record, "203.0.113.39") == record
    assert spf_with("", "198.51.100.20").startswith("v=spf1 ip4:198.51.100.20 ")


def test_the_unlisted_site_fix_names_the_office_and_the_site() -> None:
    item = next(s for s in SCENARIOS if s.scenario.fix == "add_site_to_spf")
    html = render_html([_planned(item)], 0.0, "en")
    assert "ip4:203.0.113.39 ip4:" in html
