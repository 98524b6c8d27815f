"""Turn pydantic validation errors into the one ConfigError that names file, field, expectation."""

from __future__ import annotations

from typing import TypeVar

from pydantic import ValidationError

from exolab.devices.errors import ConfigError

E = TypeVar("E", bound=ConfigError)


def field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


def _expectation(err: dict[str, object]) -> str:
    msg = str(err.get("msg", "invalid"))
    if err.get("type") == "extra_forbidden":
        return "unknown field (not part of the schema)"
    if err.get("type") == "missing":
        return "required field is missing"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg


def from_validation_error(cls: type[E], source: str, exc: ValidationError) -> E:
    """The first error names the field; further errors are appended to the expectation."""
    errors = exc.errors()
    first = errors[0]
    expected = _expectation(dict(first))
    rest = [f"{field_path(tuple(e['loc']))}: {_expectation(dict(e))}" for e in errors[1:]]
    if rest:
        expected += " (also: " + "; ".join(rest) + ")"
    return cls(source, field_path(tuple(first["loc"])), expected)
