"""Every shipped scenario loads; bad files fail with one error naming file, field, expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from exolab.scenarios.loader import ScenarioError, catalog_root, load_catalog, load_scenario_file
from exolab.scenarios.messages import fix_ids

GOOD = """
id = "{id}"
title = "t"
demonstrates = "d"
source = "https://example.org/doc"
recipients = ["alice@contoso.com"]

[device]
profile = "starttls-modern"

[device.settings]
server = "smtp.office365.com"
port = 587
username = "scanner@contoso.com"
password = "Scan-2-Mail!"

[expect]
outcome = "delivered"
"""


def write(tmp_path: Path, text: str, name: str = "case") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text.replace("{id}", name), "utf-8")
    return path


def test_every_shipped_scenario_loads_and_is_checked_against_the_world() -> None:
    items = load_catalog()
    assert len(items) >= 45
    assert len({i.id for i in items}) == len(items)
    groups = {i.group for i in items}
    assert {"submission", "tls", "auth", "limits", "direct-send", "relay"} <= groups
    for item in items:
        assert item.path.is_relative_to(catalog_root())
        if item.scenario.fix is not None:
            assert item.scenario.fix in fix_ids()


def test_the_issue_rules_each_have_a_scenario() -> None:
    ids = {i.id for i in load_catalog()}
    required = {
        "modern-587-inside", "modern-25-inside", "modern-587-outside", "modern-25-outside",
        "fixed-465", "implicit-tls-587", "no-starttls", "tls10-submission",
        "tls10-legacy-not-opted-in", "tls10-legacy-opted-in", "tenant-disabled",
        "mailbox-disabled", "mailbox-overrides-tenant", "wrong-password", "security-defaults",
        "conditional-access", "plain-only", "auth-before-starttls", "envelope-sender-not-login",
        "header-from-not-login", "shared-mailbox", "unlicensed-mailbox",
        "basic-before-retirement", "basic-after-retirement", "basic-re-enabled",
        "four-concurrent-connections", "oversized-scan", "daily-recipient-limit", "helo-only",
        "strict-login-prompt", "spf-listed-site", "unlisted-site", "dynamic-ip-site",
        "outside-recipient", "missing-recipient", "reject-direct-send", "blocklisted-ip",
        "legacy-tls-fallback", "ip-connector",
    }  # fmt: skip
    assert required <= ids, sorted(required - ids)


def test_a_good_file_loads(tmp_path: Path) -> None:
    item = load_scenario_file(write(tmp_path, GOOD))
    assert item.scenario.device.settings.port == 587


@pytest.mark.parametrize(
    ("edit", "field", "expectation"),
    [
        (('outcome = "delivered"', 'outcome = "bounced"'), "expect.outcome", "delivered"),
        (('title = "t"', 'title = "t"\ncolour = 1'), "colour", "unknown key"),
        (("port = 587", "port = 70000"), "device.settings.port", "65535"),
        (("[expect]", '[expect]\nenhanced = "5.7"'), "expect.enhanced", "pattern"),
        (("https://example.org/doc", "example.org"), "source", "public URL"),
        (('profile = "starttls-modern"', 'profile = "laser-9000"'), "device.profile", "shipped"),
        (('title = "t"', 'title = "t"\nfix = "Pray!"'), "fix", "pattern"),
        (("[device]", '[tenant]\nset = ["Nope.Thing=1"]\n[device]'), "tenant.set", "Nope"),
        (("[device]", '[tenant]\nset = ["garbage"]\n[device]'), "tenant.set[0]", "Key=Value"),
        (('profile = "starttls-modern"', 'profile = "fixed-465"'), "device.settings.port", "465"),
        (("[device]", '[device]\nsite = "moon"'), "device.site", "office"),
        (('outcome = "delivered"', 'outcome = "rejected"'), "(top level)", "fix is required"),
        (
            ("[expect]", "[tenant]\nas_of = 2026-06-01T09:00:00\n[expect]"),
            "tenant.as_of",
            "time zone",
        ),
    ],
)
def test_bad_files_name_file_field_and_expectation(
    tmp_path: Path, edit: tuple[str, str], field: str, expectation: str
) -> None:
    path = write(tmp_path, GOOD.replace(*edit))
    with pytest.raises(ScenarioError) as info:
        load_scenario_file(path)
    assert info.value.source == str(path)
    assert info.value.field == field
    assert expectation.lower() in info.value.expected.lower()
    assert str(path) in str(info.value)


REJECTED = GOOD.replace('outcome = "delivered"', 'outcome = "rejected"\ncode = {code}').replace(
    'title = "t"', 'title = "t"\nfix = "mail_subscription"'
)


def test_a_published_class_conflict_may_be_expected_exactly(tmp_path: Path) -> None:
    """550 4.4.4 is Microsoft's own pairing (catalog: class_conflict), so a scenario may expect it."""
    text = REJECTED.replace("{code}", '550\nenhanced = "4.4.4"')
    item = load_scenario_file(write(tmp_path, text))
    assert (item.scenario.expect.code, item.scenario.expect.enhanced) == (550, "4.4.4")


def test_any_other_class_mismatch_is_refused(tmp_path: Path) -> None:
    text = REJECTED.replace("{code}", '550\nenhanced = "4.7.1"')
    with pytest.raises(ScenarioError, match="does not match code 550"):
        load_scenario_file(write(tmp_path, text))


def test_unknown_fix_id_is_named(tmp_path: Path) -> None:
    text = GOOD.replace('title = "t"', 'title = "t"\nfix = "no_such_fix"')
    with pytest.raises(ScenarioError, match="fix: an id of a"):
        load_scenario_file(write(tmp_path, text))


def test_id_must_match_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "other.toml"
    path.write_text(GOOD.replace("{id}", "case"), "utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario_file(path)
    assert info.value.field == "id"


def test_not_toml_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("id = [", "utf-8")
    with pytest.raises(ScenarioError, match="valid TOML"):
        load_scenario_file(bad)
    with pytest.raises(ScenarioError, match="existing scenario file"):
        load_scenario_file(tmp_path / "absent.toml")


def test_duplicate_ids_across_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(tmp_path / "a", GOOD)
    write(tmp_path / "b", GOOD)
    with pytest.raises(ScenarioError, match="unique"):
        load_catalog([tmp_path])


def test_every_shipped_profile_is_proved_against_the_lab_by_a_scenario() -> None:
    """Each starter profile shows its documented outcome in the catalog that `make test` runs."""
    from exolab.devices import list_profiles
    from exolab.scenarios.loader import load_catalog

    used = {item.scenario.device.profile for item in load_catalog()}
    missing = {p.name for p in list_profiles()} - used
    assert missing == set()
