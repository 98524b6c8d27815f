"""The matrix: each cell is a real run; a modern device delivers everywhere, a 465 one nowhere."""

from __future__ import annotations

import json

import pytest

from exolab.scenarios.matrix import (
    SETUPS,
    cell_text,
    render_html,
    render_json,
    render_text,
    run_matrix,
)


def test_matrix_cells_and_renderings() -> None:
    table, wall = run_matrix(["starttls-modern", "fixed-465", "oauth-app-only"], jobs=4)
    modern = {sid: cell_text(r) for sid, r in table["starttls-modern"].items()}
    assert all(text.startswith("delivered") for text in modern.values()), modern
    assert cell_text(table["fixed-465"]["smtp-auth"]).startswith("timeout at CONNECT")
    assert cell_text(table["oauth-app-only"]["smtp-auth"]).startswith("delivered")
    text = render_text(table)
    assert all(s.title.en in text for s in SETUPS) and "profile" in text
    ja = render_text(table, "ja")
    assert all(s.title.ja and s.title.ja in ja for s in SETUPS)
    assert "ダイレクト送信" in ja and "Direct send" not in ja and "デバイス プロファイル" in ja
    head, rule = ja.splitlines()[:2]  # the rule under the heading is as wide as the heading
    assert len(rule) == sum(2 if "\u3000" <= ch <= "\uffef" else 1 for ch in head)
    doc = json.loads(render_json(table, wall))
    assert set(doc["profiles"]) == {"starttls-modern", "fixed-465", "oauth-app-only"}
    assert doc["setups"][2]["title_ja"] == "ダイレクト送信 (SPF に登録済みの拠点)"
    assert render_html(table).count("<tr>") == 4
    page = render_html(table, "ja")
    assert 'lang="ja"' in page and "互換性マトリックス" in page and "ダイレクト送信" in page


def test_unknown_profile_is_named() -> None:
    with pytest.raises(ValueError, match="laser-9000"):
        run_matrix(["laser-9000"])
