"""EHLO capability parsing: keywords, parameters, AUTH mechanisms, SIZE."""

from __future__ import annotations

from dataclasses import dataclass, field

from exolab.devices.client.replies import Reply


@dataclass(frozen=True)
class Capabilities:
    """The extensions a server advertised (empty after HELO)."""

    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_ehlo(cls, reply: Reply) -> Capabilities:
        keywords: dict[str, tuple[str, ...]] = {}
        for line in reply.lines[1:]:
            parts = line.split()
            if not parts:
                continue
            key = parts[0].upper()
            # "AUTH=LOGIN PLAIN" is the pre-RFC form some servers still send
            if key.startswith("AUTH="):
                key, parts = "AUTH", ["AUTH", key[5:], *parts[1:]]
            params = tuple(p.upper() if key == "AUTH" else p for p in parts[1:])
            keywords[key] = tuple(dict.fromkeys(keywords.get(key, ()) + params))
        return cls(keywords)

    def has(self, keyword: str) -> bool:
        return keyword.upper() in self.keywords

    @property
    def auth(self) -> tuple[str, ...]:
        return self.keywords.get("AUTH", ())

    @property
    def size(self) -> int | None:
        values = self.keywords.get("SIZE", ())
        if values and values[0].isdigit():
            return int(values[0])
        return None
