"""The one error a bad tenant file or override raises."""

from __future__ import annotations


class TenantError(Exception):
    """A tenant file or ``--set`` override is wrong.

    The message names the file (or ``--set``), the key, and what was expected,
    so the CLI can print it as is and exit 2.
    """

    def __init__(self, source: str, key: str, expected: str) -> None:
        self.source = source
        self.key = key
        self.expected = expected
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {expected}")
