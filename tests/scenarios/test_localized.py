"""Titles and rules in the trainer's language: every shipped scenario has Japanese that keeps
the wire facts (codes, host names, cmdlets) and Microsoft's Japanese UI terms; a user's
English-only file still loads and shows English; explain, the table and the HTML report
use the language asked for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exolab.scenarios.explain import render_explanation
from exolab.scenarios.loader import ScenarioError, ScenarioFile, load_catalog, load_scenario_file
from exolab.scenarios.model import LocalizedText
from exolab.scenarios.reports import render_html, render_table
from exolab.scenarios.result import Observation, ScenarioResult
from tests.scenarios.fakes import EXPECT_TENANT, SESSION, delivered, rejected_at_auth, result
from tests.scenarios.test_schema import GOOD, write

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# what must survive translation unchanged: what the administrator sees on the wire or types
KEPT = (
    r"\b[245]\.\d{1,3}\.\d{1,3}\b",  # enhanced status codes
    r"\b[2-5]\d\d\b",  # reply codes
    r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.com(?::\d+)?\b",  # host names
    r"\b(?:Set|Get|New|Add)-[A-Za-z]+\b",  # cmdlets
    r"\$(?:true|false)\b",
    r"\b[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+\b",  # parameter and reply names (SendAsDenied)
    r"\bAADSTS\d+\b",
    r"\bSMTP\.\w+\b",  # OAuth permissions
    r"\b\w+@",  # mailboxes
    r"'\.\.\..*?'(?!\w)",  # quoted reply fragments
    r"'[A-Z][a-z]+:'",  # quoted prompts
)
# English term (case-insensitive) → the term of Microsoft's Japanese UI and documentation
GLOSSARY = {
    "direct send": "ダイレクト送信",
    "client submission": "SMTP AUTH クライアント送信",
    "junk email": "迷惑メール フォルダー",
    "inbox": "受信トレイ",
    "sent items": "送信済みアイテム",
    "security defaults": "セキュリティの既定値群",
    "conditional access": "条件付きアクセス",
    "connector": "コネクタ",
    "basic": "基本認証",
    "shared mailbox": "共有メールボックス",
    "send as": "送信者として送信",
    "admin consent": "管理者の同意",
    "service principal": "サービス プリンシパル",
}
SHIPPED = load_catalog()


@pytest.mark.parametrize("item", SHIPPED, ids=[i.id for i in SHIPPED])
def test_every_shipped_scenario_has_japanese_title_and_rule(item: ScenarioFile) -> None:
    s = item.scenario
    for text in (s.title, s.demonstrates):
        assert text.ja, "shipped scenarios need Japanese (title.ja / demonstrates.ja)"
        assert JAPANESE.search(text.ja), text.ja
        assert text.ja != text.en
        for pattern in KEPT:
            for token in re.findall(pattern, text.en):
                assert token in text.ja, f"{token!r} must stay as it is in {text.ja!r}"
        for en_term, ja_term in GLOSSARY.items():
            if en_term in text.en.lower():
                assert ja_term in text.ja, f"{en_term!r} is {ja_term!r} in Microsoft's Japanese"
    # a title is a heading; the rule is prose in the polite style of an administrator's guide
    title, rule = s.title.ja, s.demonstrates.ja
    assert title is not None and rule is not None  # checked in the loop above; narrows for mypy
    assert not title.endswith("。")
    assert rule.endswith("。")
    assert re.search("(ます|です|ません)。$", rule), rule
    assert not re.search("(である|だ)。", rule)


def test_an_english_only_user_file_loads_and_falls_back_to_english(tmp_path: Path) -> None:
    s = load_scenario_file(write(tmp_path, GOOD)).scenario
    assert (s.title.en, s.title.ja, s.title.get("ja")) == ("t", None, "t")
    assert s.demonstrates.get("ja") == s.demonstrates.get("en") == "d"
    res = result(EXPECT_TENANT, Observation((rejected_at_auth(),), (), (SESSION,)))
    text = render_explanation(s, res, "ja")
    assert "シナリオ: t (case)" in text and "ルール: d" in text


def test_per_language_keys_load(tmp_path: Path) -> None:
    text = GOOD.replace(
        'title = "t"\ndemonstrates = "d"',
        'title.en = "t"\ntitle.ja = "て"\ndemonstrates = { en = "d", ja = "でます。" }',
    )
    s = load_scenario_file(write(tmp_path, text)).scenario
    assert (s.title.get("en"), s.title.get("ja")) == ("t", "て")
    assert s.demonstrates.get("ja") == "でます。"


@pytest.mark.parametrize(
    ("edit", "field", "expectation"),
    [
        ('title.ja = "て"', "title.en", "missing"),
        ('title.en = "t"\ntitle.fr = "t"', "title.fr", "unknown key"),
        ('title.en = "t"\ntitle.ja = ""', "title.ja", "at least 1"),
        ("title = 5", "title", "a string, or one string per language"),
        ('title = ""', "title.en", "at least 1"),
    ],
)
def test_bad_title_names_the_field(tmp_path: Path, edit: str, field: str, expectation: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario_file(write(tmp_path, GOOD.replace('title = "t"', edit)))
    assert info.value.field == field
    assert expectation in info.value.expected


def test_localized_text_accepts_a_string_and_prefers_the_language() -> None:
    assert LocalizedText.model_validate("x") == LocalizedText(en="x")
    both = LocalizedText(en="x", ja="エックス")
    assert (both.get("en"), both.get("ja"), str(both)) == ("x", "エックス", "x")


def _results() -> list[ScenarioResult]:
    good = result(EXPECT_TENANT, Observation((rejected_at_auth(),), (), (SESSION,)))
    bad = result(EXPECT_TENANT, Observation((delivered(),)))
    return [good, bad]


def test_table_and_html_use_the_language() -> None:
    ja_table = render_table(_results(), 1.0, "ja")
    assert "FAIL auth/tenant-disabled: テナントで SMTP AUTH をオフ" in ja_table
    assert "SMTP AUTH off for the tenant" not in ja_table
    assert "FAIL auth/tenant-disabled: SMTP AUTH off for the tenant" in render_table(
        _results(), 1.0, "en"
    )
    page = render_html(_results(), 1.0, "ja")
    assert "テナントで SMTP AUTH をオフ" in page
    assert "テナントの設定がオフだと 5.7.139 で拒否されます。" in page
    assert "SMTP AUTH off for the tenant" not in page
    english = render_html(_results(), 1.0, "en")
    assert "Tenant switch off gives 5.7.139." in english and "テナント" not in english


def test_explain_prints_the_japanese_title_and_rule() -> None:
    item = next(i for i in SHIPPED if i.id == "tenant-disabled")
    res = result(EXPECT_TENANT, Observation((rejected_at_auth(),), (), (SESSION,)))
    text = render_explanation(item.scenario, res, "ja")
    assert "シナリオ: テナントで SMTP AUTH をオフ (tenant-disabled)" in text
    assert f"ルール: {item.scenario.demonstrates.ja}" in text
    assert item.scenario.title.en not in text
