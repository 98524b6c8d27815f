"""The one error a bad scenario raises, apart from the loader so the world can raise it too."""

from __future__ import annotations


class ScenarioError(Exception):
    """A scenario file is wrong: names the file, the field and what was expected."""

    def __init__(self, source: str, field: str, expected: str) -> None:
        self.source = source
        self.field = field
        self.expected = expected
        super().__init__(f"{source}: {field}: {expected}")
