"""What the administrator typed into the device: server, port, security, sender, username, password.

``Settings.build(profile, values)`` validates the typed values against the
profile's settings page (a fixed port, a server field too short for the MX
host name ...) and raises ``ProfileError`` naming the source, the field and
what the device expects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from exolab.devices._validation import from_validation_error
from exolab.devices.errors import ProfileError
from exolab.devices.profile import Profile
from exolab.devices.quirks.base import SecurityMode

SettingSecurity = Literal["none", "starttls", "implicit"]
_CANDIDATES: dict[str, tuple[SecurityMode, ...]] = {
    "none": ("none",),
    "starttls": ("starttls", "opportunistic_starttls"),
    "implicit": ("implicit",),
}
SETTING_NAMES = ("server", "port", "security", "sender", "username", "password")


class Settings(BaseModel):
    """The seed's settings table, exactly these names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    server: str = Field(min_length=1, description="Server or smart host (name or IPv4).")
    port: int = Field(ge=1, le=65535)
    security: SettingSecurity = "starttls"
    sender: str = Field(default="", description="From address; empty means the username.")
    username: str = ""
    password: str = ""

    @classmethod
    def build(
        cls, profile: Profile, values: Mapping[str, object], source: str = "settings"
    ) -> Settings:
        """Validate typed values against the schema and the profile's settings page."""
        unknown = sorted(set(values) - set(SETTING_NAMES))
        if unknown:
            raise ProfileError(source, unknown[0], f"one of {', '.join(SETTING_NAMES)}")
        data = dict(values)
        data.setdefault("port", profile.settings.default_port)
        data.setdefault("security", profile.settings.default_security)
        try:
            settings = cls.model_validate(data)
        except ValidationError as exc:
            raise from_validation_error(ProfileError, source, exc) from None
        settings.check_against(profile, source)
        return settings

    def check_against(self, profile: Profile, source: str = "settings") -> None:
        rules = profile.settings
        if rules.ports is not None and self.port not in rules.ports:
            allowed = ", ".join(str(p) for p in rules.ports)
            raise ProfileError(
                source, "port", f"one of {allowed} (the {profile.name} port field allows no other)"
            )
        limits = (
            ("server", self.server, rules.server_max_length),
            ("sender", self.sender, rules.sender_max_length),
            ("password", self.password, rules.password_max_length),
            ("username", self.username, rules.username_max_length),
        )
        for name, value, limit in limits:
            if limit is not None and len(value) > limit:
                raise ProfileError(
                    source,
                    name,
                    f"at most {limit} characters (the {profile.name} field is that short); "
                    f"got {len(value)}",
                )
        self.profile_security(profile, source)

    def profile_security(self, profile: Profile, source: str = "settings") -> SecurityMode:
        """The profile's mode that carries out this security setting."""
        modes = profile.security_modes
        candidates = _CANDIDATES[self.security]
        for mode in candidates:
            if mode in modes:
                return mode
        offered = sorted(set(modes))
        raise ProfileError(
            source, "security", f"a mode {profile.name} offers ({', '.join(offered)})"
        )

    @property
    def from_address(self) -> str:
        return self.sender or self.username


def parse_assignments(items: Iterable[str], source: str = "--set") -> dict[str, object]:
    """``["port=587", "server=smtp.office365.com"]`` -> a dict (port as int)."""
    out: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ProfileError(source, item, "setting=value")
        if key not in SETTING_NAMES:
            raise ProfileError(source, key, f"one of {', '.join(SETTING_NAMES)}")
        if key == "port":
            try:
                out[key] = int(value)
            except ValueError:
                raise ProfileError(source, "port", f"a number, got {value!r}") from None
        else:
            out[key] = value
    return out
