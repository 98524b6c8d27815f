"""The quirk registry: quirk modules in this package are discovered by name.

Each module defines one ``Quirk`` subclass decorated with ``@register``. Look
a quirk up with ``quirk_class(name)``; build a profile's chain with
``build_chain``.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any, TypeVar

from exolab.devices.quirks.base import NoQuirk, Quirk, QuirkChain, QuirkParams, SecurityMode

__all__ = [
    "NoQuirk",
    "Quirk",
    "QuirkChain",
    "QuirkParams",
    "SecurityMode",
    "build_chain",
    "quirk_class",
    "quirk_names",
    "register",
]

Q = TypeVar("Q", bound=type[Quirk])

_REGISTERED: dict[str, type[Quirk]] = {NoQuirk.name: NoQuirk}


def register(cls: Q) -> Q:
    """Class decorator: make a quirk available to profiles under ``cls.name``."""
    _REGISTERED[cls.name] = cls
    return cls


@cache
def _discover() -> dict[str, type[Quirk]]:
    for info in pkgutil.iter_modules(__path__):
        if info.name != "base" and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    return dict(_REGISTERED)


def quirk_names() -> list[str]:
    return sorted(_discover())


def quirk_class(name: str) -> type[Quirk]:
    """The registered quirk called ``name``; KeyError when there is none."""
    return _discover()[name]


def build_chain(specs: list[tuple[str, dict[str, Any]]]) -> QuirkChain:
    return QuirkChain([quirk_class(name).from_data(params) for name, params in specs])
