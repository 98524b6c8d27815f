"""Terminal tables align in display columns: Japanese takes two, combining marks none."""

from __future__ import annotations

import dataclasses
import unicodedata

from exolab.scenarios.matrix import REFUSED_SETTING, SETUPS, Cell
from exolab.scenarios.reports import render_table
from exolab.scenarios.reports.matrix import render_text
from exolab.scenarios.reports.width import clip, display_width, pad
from exolab.scenarios.result import Observation
from tests.scenarios.fakes import EXPECT_TENANT, SESSION, delivered, rejected_at_auth, result

# a profile file named on a Mac arrives decomposed: ガ as カ + a combining ゛
MAC_NAME = unicodedata.normalize("NFD", "ガイド複合機")


def columns_of(line: str, text: str) -> list[int]:
    """Display columns where each occurrence of ``text`` starts in ``line``."""
    out, at = [], line.find(text)
    while at >= 0:
        out.append(display_width(line[:at]))
        at = line.find(text, at + 1)
    return out


def test_display_width() -> None:
    assert display_width("SMTP AUTH") == 9
    assert display_width("認証済み SMTP") == 13
    assert display_width("ＡＢ") == 4  # fullwidth
    assert display_width(MAC_NAME) == display_width(unicodedata.normalize("NFC", MAC_NAME)) == 12
    assert display_width("a\u200bb") == 2  # a zero-width space takes no column
    assert display_width(pad("認証", 6)) == 6 and pad("長い見出し", 2) == "長い見出し"
    assert clip("認証済み SMTP", 6) == "認証…" and display_width(clip("認証済み SMTP", 6)) == 5


def test_matrix_columns_align_for_japanese_cells() -> None:
    row = {s.id: Cell(REFUSED_SETTING, "サーバー名が長すぎます") for s in SETUPS}
    table = {MAC_NAME: row, "starttls-modern": row, "複合機-A": row}
    lines = render_text(table, "ja").splitlines()
    head, rule, *rows = lines[: 2 + len(table)]
    assert display_width(rule) == display_width(head)
    heading = [display_width(head[: head.index(s.title.ja or "")]) for s in SETUPS]
    for line in rows:
        assert columns_of(line, REFUSED_SETTING) == heading, line


def test_the_japanese_run_table_aligns_its_columns() -> None:
    good = result(EXPECT_TENANT, Observation((rejected_at_auth(),), (), (SESSION,)))
    bad = result(EXPECT_TENANT, Observation((delivered(),)))
    long = dataclasses.replace(good, id="テナントで-SMTP-AUTH-オフ", group="認証")
    head, *rows = render_table([good, bad, long], 1.0, "ja").splitlines()[:4]
    expected_column = columns_of(head, "想定")
    for line in rows:
        assert columns_of(line, "rejected at AUTH")[:1] == expected_column, line
