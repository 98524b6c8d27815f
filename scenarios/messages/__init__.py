"""The explain message catalog: one id, one meaning, in English and Japanese.

``en.toml`` and ``ja.toml`` hold the same ids with the same ``{placeholders}``
(a test checks it). Ids are dotted paths into the TOML tables:
``reply.auth.disabled.tenant``, ``fix.add_site_to_spf.action``, ``ui.expected``.
A missing id in one language is a bug, never silently English.
"""

from __future__ import annotations

import string
import tomllib
from functools import cache
from importlib import resources
from typing import Any, Literal

Lang = Literal["en", "ja"]
LANGS: tuple[Lang, ...] = ("en", "ja")
PLACEHOLDERS = frozenset(
    {
        "mailbox",
        "sender",
        "recipient",
        "server",
        "port",
        "site",
        "public_ip",
        "profile",
        "tls_version",
        "code",
        "enhanced",
        "spf_record",
        "passed",
        "total",
    }
)


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = str(value)
    return out


@cache
def catalog(lang: Lang) -> dict[str, str]:
    """Every message of one language, by dotted id."""
    text = resources.files(__name__).joinpath(f"{lang}.toml").read_text("utf-8")
    return _flatten(tomllib.loads(text))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def fix_ids() -> frozenset[str]:
    """The ids usable as a scenario's ``fix``."""
    return _fix_ids()


@cache
def _fix_ids() -> frozenset[str]:
    # every scenario of a catalog asks: the message file is read and flattened once
    return frozenset(key.split(".")[1] for key in catalog("en") if key.startswith("fix."))


class _Blank(dict[str, object]):
    """Leave an unknown placeholder visible rather than failing mid-explanation."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Messages:
    """Messages of one language, filled with a context of known facts."""

    def __init__(self, lang: Lang = "en", **context: object) -> None:
        self.lang = lang
        self.table = catalog(lang)
        self.context = _Blank(context)

    def has(self, message_id: str) -> bool:
        return message_id in self.table

    def __call__(self, message_id: str, **extra: object) -> str:
        text = self.table[message_id]
        values = _Blank({**self.context, **extra})
        return text.format_map(values)

    def reply(self, reply_id: str) -> str:
        key = f"reply.{reply_id}"
        return self(key if self.has(key) else "reply.unknown")
