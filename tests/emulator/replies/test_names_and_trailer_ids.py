"""Server names keep to one region; trailer ids are .NET ticks from the lab clock."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest

from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.replies import FrontEndNames, Renderer, catalog
from exolab.emulator.replies.render import DATACENTERS, dotnet_ticks

PRD = {"namprd": "NAM", "eurprd": "EUR", "apcprd": "APC", "jpnprd": "JPN"}


def test_dotnet_ticks_count_100_ns_from_year_one() -> None:
    assert dotnet_ticks(datetime(1, 1, 1, tzinfo=UTC)) == 0
    assert dotnet_ticks(datetime(2001, 1, 1, tzinfo=UTC)) == 631_139_040_000_000_000
    assert dotnet_ticks(utc(2026, 1, 1) + timedelta(microseconds=1)) % 10 == 0


def test_a_published_id_decodes_to_hours_before_its_timestamp() -> None:
    """The reason for the uptime window: 08DBB276B7E699C4 next to 2023-09-12T20:59:57.214Z."""
    stamp = dotnet_ticks(datetime(2023, 9, 12, 20, 59, 57, 214000, tzinfo=UTC))
    hours = (stamp - 0x08DBB276B7E699C4) / 10**7 / 3600
    assert 3 <= hours <= 42


def _renderer(seed: int, clock: FixedClock) -> Renderer:
    rng = random.Random(seed)
    return Renderer(FrontEndNames.submission(rng), clock, rng)


def _trailer_id(line: str) -> str:
    found = re.search(r" ([0-9A-F]{16})\]$", line)
    assert found, line
    return found.group(1)


@pytest.mark.parametrize("when", [utc(2023, 9, 12, 21), utc(2026, 11, 27, 9, 30)])
def test_trailer_id_is_ticks_of_the_lab_clock_less_a_seeded_uptime(when: datetime) -> None:
    [line] = _renderer(3, FixedClock(when)).lines(catalog.UNRECOGNIZED, verb="x")
    ident = _trailer_id(line)
    assert ident.startswith("08D")
    behind = (dotnet_ticks(when) - int(ident, 16)) / 10**7 / 3600
    assert 3 <= behind < 42
    [again] = _renderer(3, FixedClock(when)).lines(catalog.UNRECOGNIZED, verb="x")
    assert again == line  # same seed, same clock: same bytes


def test_trailer_ids_grow_with_the_clock() -> None:
    clock = FixedClock(utc(2026, 11, 27, 9, 30))
    renderer = _renderer(5, clock)
    first = _trailer_id(renderer.lines(catalog.UNRECOGNIZED, verb="x")[0])
    clock.advance(1.5)
    second = _trailer_id(renderer.lines(catalog.UNRECOGNIZED, verb="x")[0])
    assert int(second, 16) - int(first, 16) == 15_000_000


@pytest.mark.parametrize("seed", range(40))
def test_every_name_of_a_set_is_in_one_region(seed: int) -> None:
    rng = random.Random(seed)
    for names in (FrontEndNames.submission(rng), FrontEndNames.mx(rng)):
        prd = re.search(r"\.(namprd|eurprd|apcprd|jpnprd)\d\d\.", names.mailbox_host)
        assert prd, names.mailbox_host
        region = PRD[prd.group(1)]
        for host in (names.banner_host, names.trailer_host, names.mailbox_host):
            assert host[:2] in DATACENTERS[region], (host, region)
        if ".eop-" in names.trailer_host:  # the MX: SN1NAM02FT0049 carries its region too
            assert names.banner_host[3:6] == region
            assert f".eop-{region.lower()}" in names.trailer_host
        else:
            assert f".{prd.group(1)}" in names.trailer_host


@pytest.mark.parametrize("home", ["NAM", "JPN", "IND"])
@pytest.mark.parametrize("seed", range(10))
def test_the_tenants_region_holds_its_mailbox_servers_and_its_mx(home: str, seed: int) -> None:
    prd = {"NAM": ".namprd", "JPN": ".jpnprd", "IND": ".indprd"}[home]
    submission = FrontEndNames.submission(random.Random(seed), home)
    assert prd in submission.mailbox_host
    assert submission.mailbox_host[:2] in DATACENTERS[home]
    mx = FrontEndNames.mx(random.Random(seed), home)
    assert mx.banner_host[3:6] == home and f".eop-{home.lower()}" in mx.trailer_host
    assert prd in mx.mailbox_host


def test_an_unknown_region_leaves_the_names_in_one_drawn_region() -> None:
    names = FrontEndNames.submission(random.Random(1), "MARS")
    assert names.trailer_host.split(".")[1][:6] == names.mailbox_host.split(".")[1][:6]
