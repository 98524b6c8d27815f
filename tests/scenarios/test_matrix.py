"""The matrix: each cell is a real run; a modern device delivers everywhere, a 465 one nowhere.

A vendor's own profile files and folders join the matrix; a setting the
device refuses is an outcome cell; ``--fail-on`` turns outcomes into an exit
code for a vendor's CI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exolab.cli import main
from exolab.scenarios.matrix import MATRIX_OUTCOMES, SETUPS, parse_outcomes, run_matrix
from exolab.scenarios.reports.matrix import cell_text, render_html, render_json, render_text

VENDOR_PROFILE = """
name = "{name}"
description = "A vendor's own firmware under test."
vendor_style = "ACME MFP"
security_modes = ["starttls"]

[[sources]]
confidence = "guess"
note = "The vendor's own description of its firmware."

[auth]
mechanisms = ["LOGIN"]

[settings]
default_port = 587
{extra}
"""


def vendor_profile(path: Path, name: str, extra: str = "") -> Path:
    path.write_text(VENDOR_PROFILE.format(name=name, extra=extra), "utf-8")
    return path


def test_matrix_cells_and_renderings() -> None:
    chosen = ["starttls-modern", "fixed-465", "oauth-app-only", "short-server-field"]
    table, wall = run_matrix(chosen, jobs=4)
    modern = {sid: cell_text(c) for sid, c in table["starttls-modern"].items()}
    assert all(text.startswith("delivered") for text in modern.values()), modern
    assert cell_text(table["fixed-465"]["smtp-auth"]).startswith("timeout at CONNECT")
    assert table["fixed-465"]["smtp-auth"].outcome == "timeout"
    assert cell_text(table["oauth-app-only"]["smtp-auth"]).startswith("delivered")
    text = render_text(table)
    assert all(s.title.en in text for s in SETUPS) and "profile" in text
    ja = render_text(table, "ja")
    assert all(s.title.ja and s.title.ja in ja for s in SETUPS)
    assert "ダイレクト送信" in ja and "Direct send" not in ja and "デバイス プロファイル" in ja
    head, rule = ja.splitlines()[:2]  # the rule under the heading is as wide as the heading
    assert len(rule) == sum(2 if "\u3000" <= ch <= "\uffef" else 1 for ch in head)
    doc = json.loads(render_json(table, wall))
    assert set(doc["profiles"]) == set(chosen)
    assert doc["setups"][2]["title_ja"] == "ダイレクト送信 (SPF に登録済みの拠点)"
    assert doc["profiles"]["fixed-465"]["smtp-auth"]["outcome"] == "timeout"
    assert render_html(table).count("<tr>") == 5
    page = render_html(table, "ja")
    assert 'lang="ja"' in page and "互換性マトリックス" in page and "ダイレクト送信" in page


def test_a_server_name_too_long_for_the_field_is_a_refused_setting_cell() -> None:
    table, _ = run_matrix(["short-server-field"], jobs=2)
    refused = table["short-server-field"]["direct-send"]
    assert refused.outcome == "refused_setting" and refused.result is None
    assert refused.detail == "config error: server name too long for the field (39 > 32)"
    assert refused.detail_ja == "設定エラー: サーバー名が長すぎて欄に入りません (39 > 32)"
    assert table["short-server-field"]["smtp-auth"].result is not None  # 18 characters fit
    text = render_text(table)
    assert "ScenarioError" not in text
    assert [c.outcome for c in table["short-server-field"].values()].count("error") == 0
    assert "refused_setting [1]" in text
    assert (
        "[1] short-server-field / Direct send, SPF-listed site: config error: server name" in text
    )
    assert (
        "[1] short-server-field / ダイレクト送信 (SPF に登録済みの拠点): 設定エラー: サーバー名"
        in (render_text(table, "ja"))
    )
    cell = json.loads(render_json(table, 0.0))["profiles"]["short-server-field"]["direct-send"]
    assert cell["outcome"] == "refused_setting" and cell["detail"] == refused.detail
    assert cell["detail_ja"] == refused.detail_ja
    assert "too long for the field (39 &gt; 32)" in render_html(table)
    assert "欄に入りません (39 &gt; 32)" in render_html(table, "ja")


def test_unknown_profile_is_named() -> None:
    with pytest.raises(ValueError, match="laser-9000"):
        run_matrix(["laser-9000"])


def test_vendor_files_and_folders_join_the_matrix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "my-profiles"
    folder.mkdir()
    vendor_profile(folder / "acme-one.toml", "acme-one")
    vendor_profile(folder / "acme-tiny.toml", "acme-tiny", "server_max_length = 4")
    (folder / "README.md").write_text("not a profile")
    other = vendor_profile(tmp_path / "other.toml", "acme-other", "server_max_length = 20")
    out = tmp_path / "matrix.json"
    args = ["matrix", "--jobs", "3", "--json", str(out)]
    assert main([*args, "--profiles", str(folder), str(other), "starttls-modern"]) == 0
    doc = json.loads(out.read_text("utf-8"))
    assert list(doc["profiles"]) == ["acme-one", "acme-tiny", "acme-other", "starttls-modern"]
    assert doc["profiles"]["acme-one"]["smtp-auth"]["outcome"] == "delivered"
    assert {c["outcome"] for c in doc["profiles"]["acme-tiny"].values()} == {"refused_setting"}
    assert doc["profiles"]["acme-other"]["smtp-auth"]["outcome"] == "delivered"
    assert doc["profiles"]["acme-other"]["direct-send"]["outcome"] == "refused_setting"
    assert "acme-tiny" in capsys.readouterr().out


def test_a_bad_profile_file_is_a_usage_error_naming_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = vendor_profile(tmp_path / "bad.toml", "acme-bad", "password_max_length = 0")
    assert main(["matrix", "--profiles", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "settings.password_max_length" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["matrix", "--profiles", str(empty)]) == 2
    assert "empty" in capsys.readouterr().err
    twice = vendor_profile(tmp_path / "twice.toml", "starttls-modern")
    assert main(["matrix", "--profiles", "starttls-modern", str(twice)]) == 2
    assert "given twice" in capsys.readouterr().err


def test_fail_on_gives_an_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # every cell of this profile is refused by its settings page: no lab needs to start
    tiny = str(vendor_profile(tmp_path / "tiny.toml", "acme-tiny", "server_max_length = 4"))
    assert main(["matrix", "--profiles", tiny]) == 0  # without --fail-on: the report only
    assert main(["matrix", "--profiles", tiny, "--fail-on", "timeout", "rejected"]) == 0
    capsys.readouterr()
    assert main(["matrix", "--profiles", tiny, "--fail-on", "timeout", "refused-setting"]) == 1
    assert "acme-tiny / smtp-auth: refused_setting" in capsys.readouterr().err
    assert main(["matrix", "--profiles", tiny, "--fail-on", "bounced"]) == 2
    err = capsys.readouterr().err
    assert "bounced" in err and all(name in err for name in MATRIX_OUTCOMES)


def test_outcome_names_are_validated() -> None:
    assert parse_outcomes(["tls-failure", "gave_up"]) == {"tls_failure", "gave_up"}
    with pytest.raises(ValueError, match="expected some of delivered, rejected"):
        parse_outcomes(["Delivered!"])


def test_the_quirk_profiles_give_device_outcomes_never_an_error_cell() -> None:
    """Every cell of a quirk profile is something a device does (or refuses), not a lab defect."""
    quirky = [
        "starttls-before-ehlo",
        "proxy-header",
        "hp-tls-when-off",
        "brother-pop-before-smtp",
        "bizhub-287-silent",
    ]
    table, _ = run_matrix(quirky, jobs=2)
    broken = {
        f"{name}/{sid}": cell.detail
        for name, row in table.items()
        for sid, cell in row.items()
        if cell.outcome == "error"
    }
    assert broken == {}
    assert "ScenarioError" not in render_text(table) + render_text(table, "ja")
