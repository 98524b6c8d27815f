"""Which sessions of a data directory have a capture, for the session JSON and the web page.

The directory is listed once per listing (one ``scandir``, not two ``stat``
calls per session), and a file name is only ever built from a session id
that is a whole number, so no caller's text reaches a path.
"""

from __future__ import annotations

import os
from pathlib import Path

CAPTURES = "captures"
"""The folder of a lab's data directory holding ``<id>.pcap`` and ``<id>.keys``."""


def captures_dir(data_dir: Path) -> Path:
    return data_dir / CAPTURES


class CaptureFiles:
    """The pcap and key log of each recorded session in one captures folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        try:
            with os.scandir(directory) as entries:
                self._names = {e.name for e in entries if e.is_file(follow_symlinks=False)}
        except OSError:  # no folder: the lab never captured
            self._names = set()

    def path(self, session_id: int, kind: str) -> Path | None:
        """``<id>.pcap`` (kind ``pcap``) or ``<id>.keys`` (kind ``keylog``) when it exists."""
        name = f"{int(session_id)}.{'pcap' if kind == 'pcap' else 'keys'}"
        return self.directory / name if name in self._names else None

    def of(self, session_id: int) -> dict[str, str | None] | None:
        """``{"pcap": PATH, "keylog": PATH or None}``, or None when the session was not captured."""
        pcap = self.path(session_id, "pcap")
        if pcap is None:
            return None
        keys = self.path(session_id, "keylog")
        return {"pcap": str(pcap), "keylog": str(keys) if keys is not None else None}
