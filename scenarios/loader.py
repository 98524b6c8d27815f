"""Reading scenario files: TOML → validated ``Scenario``, or one ``ScenarioError``.

Beyond the schema, a scenario is checked against the world it runs in: its
``--set`` keys are applied to the default tenant (so a misspelt key fails at
load, naming the file), its device profile must exist and accept its
settings, its site must be a tenant site, and its ``fix`` must be a message
in the explain catalog. A bad file never reaches the runner.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from exolab.scenarios.errors import ScenarioError
from exolab.scenarios.messages import fix_ids
from exolab.scenarios.model import Scenario
from exolab.scenarios.world import World, build_world

__all__ = [
    "CATALOG_PACKAGE",
    "ScenarioError",
    "ScenarioFile",
    "catalog_root",
    "find_scenario",
    "load_catalog",
    "load_scenario_file",
    "parse_scenario",
]

CATALOG_PACKAGE = "exolab.scenarios.catalog"


@dataclass(frozen=True)
class ScenarioFile:
    """A loaded scenario and where it came from."""

    scenario: Scenario
    path: Path
    group: str
    """The catalog folder it sits in (submission, tls, auth, …)."""
    world: World | None = field(default=None, compare=False, repr=False)
    """The tenant and device built when the file was checked (None: not checked); the
    runner uses them rather than building both again."""

    @property
    def id(self) -> str:
        return self.scenario.id


def catalog_root() -> Path:
    return Path(str(resources.files(CATALOG_PACKAGE)))


def _field_path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _expectation(err: Any) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key (see docs/scenarios/format.md for the valid keys)"
    if kind == "missing":
        return "required key is missing"
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    got = err.get("input")
    return f"{msg}; got {got!r}" if not isinstance(got, dict) else msg


def parse_scenario(data: dict[str, Any], source: str, check_world: bool = True) -> Scenario:
    """Validate one scenario document; ``check_world`` also checks tenant, profile and fix."""
    scenario = _validated(data, source)
    if check_world:
        check_against_world(scenario, source)
    return scenario


def _validated(data: dict[str, Any], source: str) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ScenarioError(source, _field_path(first["loc"]), _expectation(first)) from None


def check_against_world(scenario: Scenario, source: str) -> World:
    """The checks the schema alone cannot make: tenant keys, site, profile, settings, fix.

    Returns the tenant and device it built for them."""
    world = build_world(scenario, source)
    if scenario.device.site is not None:
        names = [s.name for s in world.tenant.site]
        if scenario.device.site not in names:
            raise ScenarioError(
                source, "device.site", f"one of the tenant's sites ({', '.join(names)})"
            )
    if scenario.fix is not None and scenario.fix not in fix_ids():
        raise ScenarioError(
            source, "fix", "an id of a [fix.ID] table in scenarios/messages/en.toml"
        )
    return world


def load_scenario_file(
    path: Path, root: Path | None = None, check_world: bool = True
) -> ScenarioFile:
    source = str(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ScenarioError(source, "(file)", "an existing scenario file") from None
    except UnicodeDecodeError:
        raise ScenarioError(source, "(file)", "UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, "(file)", f"valid TOML ({exc})") from None
    scenario = _validated(data, source)
    world = check_against_world(scenario, source) if check_world else None
    if scenario.id != path.stem:
        raise ScenarioError(source, "id", f"the file name without .toml ({path.stem!r})")
    group = ""
    if root is not None:
        folder, top = path.resolve().parent, root.resolve()
        if folder != top:
            group = folder.relative_to(top).as_posix()
    return ScenarioFile(scenario, path, group, world)


def discover(paths: Iterable[Path]) -> list[Path]:
    """Every .toml under the given files or directories, sorted, no duplicates."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for item in sorted(path.rglob("*.toml")):
                found[item] = None
        else:
            found[path] = None
    return list(found)


def load_catalog(paths: Sequence[Path] = (), check_world: bool = True) -> list[ScenarioFile]:
    """The given files/directories (or the shipped catalog); ids must be unique."""
    root = catalog_root()
    targets = discover(paths or [root])
    out: list[ScenarioFile] = []
    seen: dict[str, Path] = {}
    top = root.resolve()
    for path in targets:
        base = root if path.resolve().is_relative_to(top) else None
        loaded = load_scenario_file(path, base, check_world)
        if loaded.id in seen:
            raise ScenarioError(str(path), "id", f"unique (also used by {seen[loaded.id]})")
        seen[loaded.id] = path
        out.append(loaded)
    if not out:
        raise ScenarioError(", ".join(str(p) for p in paths), "(paths)", "at least one .toml")
    return out


def find_scenario(name: str) -> ScenarioFile:
    """A scenario by id (shipped catalog) or by path."""
    path = Path(name)
    if path.suffix == ".toml" or path.exists():
        return load_scenario_file(path)
    for item in load_catalog():
        if item.id == name:
            return item
    raise ScenarioError(name, "scenario", "a catalog id (see `exolab run --list`) or a .toml path")
