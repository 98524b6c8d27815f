"""The known device quirks as data: each public report, its source, and where the lab runs it.

``known.toml`` lists every quirk seen against Microsoft 365 with its vendor,
the symptom in one line, the server's answer, the public sources, the
profiles that simulate it and the scenario ids that run it. The schema is
checked here (numbers 1..N without a gap, public sources and a scenario for
each); that each profile is shipped and each scenario id exists is checked by
a test, since the profiles load through this package's registry and scenarios
sit a layer above devices.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from exolab.devices._validation import from_validation_error
from exolab.devices.errors import ConfigError

KNOWN = Path(__file__).with_name("known.toml")


class KnownQuirkError(ConfigError):
    """The list of known quirks is invalid (names the file, the field and the expectation)."""


class KnownQuirk(BaseModel):
    """One quirk from a public report."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int = Field(ge=1, description="Its number in the list, 1..N.")
    vendor: str = Field(min_length=1, description="Vendor or family, or the kind of device.")
    quirk: str = Field(min_length=1, description="The quirk and its symptom, one line.")
    reply: str = Field(default="", description="What the server answers, or the evidence.")
    sources: tuple[str, ...] = Field(min_length=1, description="Public URLs.")
    confidence: Literal["primary", "secondary"] = "primary"
    profiles: tuple[str, ...] = Field(default=(), description="Profiles that simulate it.")
    scenarios: tuple[str, ...] = Field(min_length=1, description="Scenario ids that run it.")
    matrix: tuple[str, ...] = Field(
        default=(), description="Matrix cells (profile/set-up id) where it is the device's answer."
    )

    @model_validator(mode="after")
    def _public_sources(self) -> KnownQuirk:
        for url in self.sources:
            if not url.startswith("https://"):
                raise ValueError(f"sources: public https URLs, got {url!r}")
        for cell in self.matrix:
            if cell.count("/") != 1:
                raise ValueError(f"matrix: 'profile/set-up id', got {cell!r}")
        return self


class KnownQuirks(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    quirk: tuple[KnownQuirk, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _numbered(self) -> KnownQuirks:
        numbers = [q.number for q in self.quirk]
        expected = list(range(1, len(numbers) + 1))
        if numbers != expected:
            raise ValueError(f"numbers 1..{len(numbers)} in order, got {numbers}")
        return self


def parse_known(data: dict[str, object], source: str) -> tuple[KnownQuirk, ...]:
    """The quirks of ``data`` (a parsed known.toml); KnownQuirkError names what is wrong."""
    try:
        quirks = KnownQuirks.model_validate(data).quirk
    except ValidationError as exc:
        raise from_validation_error(KnownQuirkError, source, exc) from None
    return quirks


@cache
def known_quirks(path: Path = KNOWN) -> tuple[KnownQuirk, ...]:
    """Every known quirk, in number order."""
    with path.open("rb") as f:
        return parse_known(tomllib.load(f), str(path))
