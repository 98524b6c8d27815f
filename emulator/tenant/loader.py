"""Reading a tenant: TOML file or the embedded default, plus overrides, into a valid ``Tenant``."""

from __future__ import annotations

import pickle
import tomllib
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError

from exolab.emulator.tenant.errors import TenantError
from exolab.emulator.tenant.model import Tenant
from exolab.emulator.tenant.overrides import IDENTITY_FIELDS, apply_overrides

DEFAULT_SOURCE = "embedded default tenant"


def default_document() -> dict[str, Any]:
    """The embedded demo tenant as a raw TOML document, the caller's own to change."""
    # A copy of the document parsed once: a run loads the default tenant for every scenario,
    # and parsing the TOML costs about a hundred times what rebuilding it from pickle bytes
    # does (pickle.loads of our own bytes; every value is a plain TOML type).
    return cast(dict[str, Any], pickle.loads(_default_pickle()))


@cache
def _default_pickle() -> bytes:
    """The embedded default tenant, parsed once per process and kept as pickle bytes."""
    text = resources.files("exolab.emulator.tenant").joinpath("default.toml").read_text("utf-8")
    return pickle.dumps(tomllib.loads(text), pickle.HIGHEST_PROTOCOL)


def load_default_tenant(
    overrides: Iterable[tuple[str, Any]] = (), as_of: datetime | date | None = None
) -> Tenant:
    return parse_tenant(default_document(), DEFAULT_SOURCE, overrides, as_of)


def load_tenant(
    path: Path | None,
    overrides: Iterable[tuple[str, Any]] = (),
    as_of: datetime | date | None = None,
) -> Tenant:
    """Load ``path`` (or the default tenant when None), apply overrides, validate."""
    if path is None:
        return load_default_tenant(overrides, as_of)
    try:
        document = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise TenantError(str(path), "", "file not found") from None
    except OSError as exc:  # a directory, no permission: name the file, not a traceback
        raise TenantError(str(path), "", f"a readable tenant file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise TenantError(str(path), "", "expected UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise TenantError(str(path), "", f"not valid TOML ({exc})") from None
    return parse_tenant(document, str(path), overrides, as_of)


def parse_tenant(
    document: dict[str, Any],
    source: str,
    overrides: Iterable[tuple[str, Any]] = (),
    as_of: datetime | date | None = None,
) -> Tenant:
    overrides = list(overrides)
    apply_overrides(document, overrides)
    if as_of is not None:
        document.setdefault("Lab", {})["AsOf"] = as_of
    lab = document.get("Lab")
    if isinstance(lab, dict) and "AsOf" in lab:
        lab["AsOf"] = as_utc(lab["AsOf"])
    if overrides:
        source = f"{source} (with --set {', '.join(k for k, _ in overrides)})"
    try:
        return Tenant.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise TenantError(source, _key_name(document, first["loc"]), _expected(first)) from None


def as_utc(value: Any) -> Any:
    """A TOML date or naive datetime as an aware UTC datetime; anything else unchanged."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value


def _key_name(document: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """Render a pydantic location the way a --set key is written: Mailbox[alice@…].Licensed."""
    parts: list[str] = []
    node: Any = document
    for item in loc:
        if isinstance(item, int) and parts and isinstance(node, list):
            entry = node[item] if item < len(node) else {}
            identity = IDENTITY_FIELDS.get(parts[-1].split("[")[0], "")
            label = entry.get(identity) if isinstance(entry, dict) else None
            parts[-1] += f"[{label if label else item}]"
            node = entry
            continue
        parts.append(str(item))
        node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def _expected(error: Any) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown setting (see docs/reference/tenant.md for the valid names)"
    if kind == "missing":
        return "required setting is missing"
    message = str(error.get("msg", "invalid value"))
    return f"expected {message[0].lower()}{message[1:]}; got {error.get('input')!r}"
