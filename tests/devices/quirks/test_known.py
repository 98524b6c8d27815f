"""The list of known quirks: all 35 present, each run by scenarios that exist, and documented."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from exolab.devices import load_profile, profile_names
from exolab.devices.quirks.known import KNOWN, KnownQuirkError, known_quirks, parse_known
from exolab.scenarios.loader import load_catalog
from exolab.scenarios.matrix import REFUSED_SETTING, SETUPS, cell_settings, refusal

DOCS = Path(__file__).resolve().parents[3] / "docs"
QUIRK_COUNT = 35


def test_every_quirk_of_the_public_list_is_present_in_order() -> None:
    assert [q.number for q in known_quirks()] == list(range(1, QUIRK_COUNT + 1))


def test_every_quirk_is_run_by_scenarios_that_exist() -> None:
    ids = {item.scenario.id for item in load_catalog()}
    missing = {q.number: sorted(set(q.scenarios) - ids) for q in known_quirks()}
    assert {n: m for n, m in missing.items() if m} == {}
    assert all(q.scenarios for q in known_quirks())


def test_every_profile_named_is_shipped() -> None:
    shipped = set(profile_names())
    named = {p for q in known_quirks() for p in q.profiles}
    assert named - shipped == set()


def test_matrix_cells_named_are_the_devices_own_answer() -> None:
    setups = {s.id: s for s in SETUPS}
    for q in known_quirks():
        for cell in q.matrix:
            name, setup_id = cell.split("/")
            profile = load_profile(name)
            refused = refusal(profile, cell_settings(profile, setups[setup_id]))
            assert refused is not None and refused.outcome == REFUSED_SETTING, cell


def _data() -> dict[str, object]:
    with KNOWN.open("rb") as f:
        return tomllib.load(f)


def test_a_quirk_that_names_no_scenario_is_refused() -> None:
    data = _data()
    quirks = data["quirk"]
    assert isinstance(quirks, list)
    quirks[12]["scenarios"] = []
    with pytest.raises(KnownQuirkError) as info:
        parse_known(data, "known.toml")
    assert info.value.field == "quirk[12].scenarios"
    assert str(info.value).startswith("known.toml: quirk[12].scenarios:")


def test_a_gap_in_the_numbers_or_an_unknown_key_is_refused() -> None:
    data = _data()
    quirks = data["quirk"]
    assert isinstance(quirks, list)
    del quirks[20]
    with pytest.raises(KnownQuirkError, match=r"numbers 1\.\.34 in order"):
        parse_known(data, "known.toml")
    data = _data()
    quirks = data["quirk"]
    assert isinstance(quirks, list)
    quirks[0]["severity"] = "high"
    with pytest.raises(KnownQuirkError, match="unknown field"):
        parse_known(data, "known.toml")


def test_a_source_must_be_a_public_url() -> None:
    data = _data()
    quirks = data["quirk"]
    assert isinstance(quirks, list)
    quirks[0]["sources"] = ["../shared/notes.md"]
    with pytest.raises(KnownQuirkError, match="public https URLs"):
        parse_known(data, "known.toml")


def test_the_quirks_page_lists_every_quirk_and_its_scenarios() -> None:
    page = (DOCS / "devices" / "quirks.md").read_text("utf-8")
    for q in known_quirks():
        row = next(line for line in page.splitlines() if line.startswith(f"| {q.number} |"))
        assert all(f"`{s}`" in row for s in q.scenarios), q.number
        assert all(url in row for url in q.sources), q.number
