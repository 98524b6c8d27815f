"""SASL mechanisms of the submission front ends, one module each, discovered.

A module here that defines ``MECHANISM`` (see ``emulator.smtp.auth.Mechanism``)
is offered on the wire under ``MECHANISM.name``. Discovery lives here, not in
auth.py, because the mechanism modules import auth.py's types.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache

from exolab.emulator.smtp.auth import Mechanism


def discover_mechanisms() -> dict[str, Mechanism]:
    """Every mechanism module in ``emulator.smtp.mechanisms``, by wire name."""
    return dict(_discovered())


@cache
def _discovered() -> tuple[tuple[str, Mechanism], ...]:
    """Looked for once per process: each module's ``MECHANISM`` is one object anyway, and
    listing the folder was a twentieth of a lab's start."""
    found: dict[str, Mechanism] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        mechanism = getattr(module, "MECHANISM", None)
        if mechanism is not None:
            found[mechanism.name.upper()] = mechanism
    return tuple(found.items())


def registry(extra: Mapping[str, Mechanism] | None = None) -> dict[str, Mechanism]:
    """Discovered mechanisms plus ``extra`` (tests, other front ends)."""
    found = discover_mechanisms()
    found.update({k.upper(): v for k, v in (extra or {}).items()})
    return found
