"""Every shipped profile loads; bad profiles and settings give one named error."""

from __future__ import annotations

from pathlib import Path

import pytest

from exolab.devices import ProfileError, Settings, list_profiles, load_profile, profile_names
from exolab.devices.quirks import quirk_names
from exolab.devices.settings import parse_assignments

STARTERS = {
    "fixed-465",
    "tls10-only",
    "no-auth",
    "starttls-modern",
    "xerox-strict-login",
    "implicit-tls-25",
    "helo-only",
    "plain-only",
    "auth-before-starttls",
    "opportunistic-fallback",
    "legacy-tls-direct-send",
    "bare-ip-ehlo",
    "password-special-chars",
    "from-differs",
    "short-server-field",
}
MINIMAL = """
name = "x"
description = "d"
vendor_style = "v"
security_modes = ["none"]
[[sources]]
url = "https://example.org/"
"""


@pytest.mark.parametrize("name", profile_names())
def test_every_shipped_profile_loads(name: str) -> None:
    profile = load_profile(name)
    assert profile.name == name  # file stem and name agree
    assert profile.sources
    profile.quirk_chain()
    Settings.build(profile, {"server": "smtp.office365.com"})  # its defaults are valid


def test_starter_profiles_are_shipped() -> None:
    assert set(profile_names()) >= STARTERS
    assert [p.name for p in list_profiles()] == sorted(profile_names())


def test_quirk_sources_or_guess_said() -> None:
    for profile in list_profiles():
        for quirk in profile.quirks:
            assert quirk.source.url or quirk.source.confidence == "guess"
            assert quirk.name in quirk_names()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("extra", "field", "expect"),
    [
        ('[tls]\nmin_version = "1.3"\nmax_version = "1.0"\n', "tls", "above max_version"),
        ('[tls]\nmin_version = "0.9"\n', "tls.min_version", "'1.0'"),
        ("[greeting]\ncolour = 1\n", "greeting.colour", "unknown field"),
        (
            '[[quirks]]\nname = "nope"\nsource = {url = "https://x.org"}\n',
            "quirks[0]",
            "unknown quirk 'nope'",
        ),
        (
            '[[quirks]]\nname = "password-mangling"\nparams = {max_length = 0}\n'
            'source = {url = "https://x.org"}\n',
            "quirks[0]",
            "params.max_length",
        ),
        (
            '[[quirks]]\nname = "none"\nsource = {note = "x"}\n',
            "quirks[0].source",
            "confidence = 'guess'",
        ),
        ("[settings]\nports = [465]\ndefault_port = 25\n", "settings", "default_port 25"),
        ('[auth]\nmechanisms = ["CRAM-MD5"]\n', "auth.mechanisms[0]", "LOGIN"),
    ],
)
def test_bad_profile_names_file_field_expectation(
    tmp_path: Path, extra: str, field: str, expect: str
) -> None:
    path = write(tmp_path, MINIMAL + extra)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    err = info.value
    assert err.source == str(path) and err.field == field, str(err)
    assert expect in err.expected
    assert str(err).startswith(f"{path}: {field}: ")


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="valid TOML"):
        load_profile(write(tmp_path, "name = "))
    with pytest.raises(ProfileError, match="readable"):
        load_profile(tmp_path / "missing.toml")
    with pytest.raises(ProfileError, match="shipped profile name"):
        load_profile("no-such-profile")


def test_missing_required_field(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as info:
        load_profile(write(tmp_path, MINIMAL.replace('vendor_style = "v"\n', "")))
    assert info.value.field == "vendor_style" and "missing" in info.value.expected


def test_settings_restrictions() -> None:
    fixed = load_profile("fixed-465")
    with pytest.raises(ProfileError) as info:
        Settings.build(fixed, {"server": "smtp.office365.com", "port": 587}, source="--set")
    assert (info.value.source, info.value.field) == ("--set", "port")
    assert "465" in info.value.expected
    short = load_profile("short-server-field")
    with pytest.raises(ProfileError, match="at most 32 characters") as info:
        Settings.build(short, {"server": "contoso-com.mail.protection.outlook.com"})
    assert info.value.field == "server"
    with pytest.raises(ProfileError) as info:
        Settings.build(load_profile("helo-only"), {"server": "x", "security": "starttls"})
    assert info.value.field == "security"
    with pytest.raises(ProfileError) as info:
        Settings.build(fixed, {"server": "x", "user": "me"})
    assert info.value.field == "user"
    with pytest.raises(ProfileError) as info:
        Settings.build(fixed, {"server": "x", "security": "ssl"})
    assert info.value.field == "security"


def test_settings_defaults_and_security_mapping() -> None:
    s = Settings.build(load_profile("no-auth"), {"server": "mx"})
    assert (s.port, s.security) == (25, "starttls")
    assert s.profile_security(load_profile("no-auth")) == "opportunistic_starttls"
    assert Settings.build(load_profile("fixed-465"), {"server": "x"}).security == "implicit"


def test_parse_assignments() -> None:
    assert parse_assignments(["server=a=b", "port=587"]) == {"server": "a=b", "port": 587}
    for bad, field in (["port=x"], "port"), (["nosign"], "nosign"), (["colour=1"], "colour"):
        with pytest.raises(ProfileError) as info:
            parse_assignments(bad)
        assert info.value.field == field


def test_timeouts_override() -> None:
    p = load_profile("fixed-465").with_timeouts(connect=1.0)
    assert p.timeouts.connect == 1.0 and p.timeouts.banner == 60.0


def test_a_profile_file_is_parsed_once_per_text_and_each_caller_gets_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tomllib

    parsed: list[str] = []
    real = tomllib.loads

    def counting(text: str) -> dict[str, object]:
        parsed.append(text)
        return real(text)

    monkeypatch.setattr(tomllib, "loads", counting)
    valid = MINIMAL + '[settings]\ndefault_security = "none"\n'
    path = write(tmp_path, valid + '[headers]\nX-Mailer = "one"\n')
    first, again = load_profile(path), load_profile(path)
    assert first == again and first is not again and len(parsed) == 1
    first.headers["X-Mailer"] = "changed by a caller"
    assert load_profile(path).headers == {"X-Mailer": "one"}

    path.write_text(valid + '[headers]\nX-Mailer = "two"\n', encoding="utf-8")
    assert load_profile(path).headers == {"X-Mailer": "two"} and len(parsed) == 2
    for _ in range(2):
        load_profile("starttls-modern")
    assert len(parsed) <= 3  # a shipped profile: at most once more in this process
