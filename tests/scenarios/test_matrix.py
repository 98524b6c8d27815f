"""The matrix: each cell is a real run; a modern device delivers everywhere, a 465 one nowhere."""

from __future__ import annotations

import json

import pytest

from scenarios.matrix import SETUPS, cell_text, render_html, render_json, render_text, run_matrix


def test_matrix_cells_and_renderings() -> None:
    table, wall = run_matrix(["starttls-modern", "fixed-465", "oauth-app-only"], jobs=4)
    modern = {sid: cell_text(r) for sid, r in table["starttls-modern"].items()}
    assert all(text.startswith("delivered") for text in modern.values()), modern
    assert cell_text(table["fixed-465"]["smtp-auth"]).startswith("timeout at CONNECT")
    assert cell_text(table["oauth-app-only"]["smtp-auth"]).startswith("delivered")
    text = render_text(table)
    assert all(s.title in text for s in SETUPS)
    doc = json.loads(render_json(table, wall))
    assert set(doc["profiles"]) == {"starttls-modern", "fixed-465", "oauth-app-only"}
    assert render_html(table).count("<tr>") == 4


def test_unknown_profile_is_named() -> None:
    with pytest.raises(ValueError, match="laser-9000"):
        run_matrix(["laser-9000"])
