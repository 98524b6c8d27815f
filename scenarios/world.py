"""Turn a scenario's data into the objects of both sides: the tenant and the device.

This is the one module (with the runner) where emulator and devices meet.
Errors from either side become a ``ScenarioError`` that names the scenario
file and the scenario field, keeping the owner's own message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from exolab.devices.errors import ConfigError
from exolab.devices.profile import OAuth, Profile, load_profile
from exolab.devices.settings import Settings
from exolab.emulator.tenant import Tenant, TenantError, load_default_tenant, parse_assignment
from exolab.scenarios.errors import ScenarioError
from exolab.scenarios.model import Scenario

DEFAULT_SERVER = "smtp.office365.com"


@dataclass(frozen=True)
class World:
    """A scenario's tenant and device, as built from its data (all frozen)."""

    tenant: Tenant
    profile: Profile
    settings: Settings


def build_world(scenario: Scenario, source: str) -> World:
    """The scenario's tenant and device; a ``ScenarioError`` for anything they refuse."""
    tenant = build_tenant(scenario, source)
    profile, settings = device_for(scenario, source)
    return World(tenant, profile, settings)


def tenant_overrides(scenario: Scenario, source: str) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for index, item in enumerate(scenario.tenant.set):
        try:
            out.append(parse_assignment(item))
        except TenantError as exc:
            raise ScenarioError(source, f"tenant.set[{index}]", exc.expected) from None
    return out


def build_tenant(
    scenario: Scenario, source: str, extra: list[tuple[str, object]] | None = None
) -> Tenant:
    """The default tenant with the scenario's changes, at the scenario's lab date."""
    overrides = tenant_overrides(scenario, source) + list(extra or [])
    as_of: datetime = scenario.tenant.as_of
    try:
        return load_default_tenant(overrides, as_of)
    except TenantError as exc:
        raise ScenarioError(source, "tenant.set", f"{exc.key}: {exc.expected}") from None


def device_for(scenario: Scenario, source: str) -> tuple[Profile, Settings]:
    """The device profile (with the scenario's timeouts) and the typed settings."""
    device = scenario.device
    name: str | Path = device.profile
    if device.profile.endswith(".toml"):
        name = (Path(source).parent / device.profile).resolve()
    try:
        profile = load_profile(name)
    except ConfigError as exc:
        raise ScenarioError(source, "device.profile", exc.expected) from None
    overrides = device.timeouts.as_overrides()
    if overrides:
        profile = profile.with_timeouts(**overrides)
    oauth = device.oauth.as_values()
    if oauth:
        if profile.oauth is None:
            raise ScenarioError(
                source, "device.oauth", f"a profile with [oauth] ({profile.name} has none)"
            )
        changed = OAuth.model_validate(profile.oauth.model_dump() | oauth)
        profile = profile.model_copy(update={"oauth": changed})
    values = {"server": DEFAULT_SERVER} | device.settings.as_values()
    try:
        settings = Settings.build(profile, values, source=f"{source}: device.settings")
    except ConfigError as exc:
        raise ScenarioError(source, f"device.settings.{exc.field}", exc.expected) from None
    return profile, settings


def site_source(tenant: Tenant, site: str | None) -> str | None:
    """The lab source address of a site (None: let the OS choose)."""
    if site is None:
        return None
    for item in tenant.site:
        if item.name == site:
            return item.source
    return None
