"""Is an existing file a usable exolab store? Asked before the store opens it for writing.

Opening for writing changes a file (WAL mode, our tables), so another
program's SQLite database given as ``--data`` by mistake would be quietly
altered and listed as an empty lab; a file with damaged pages would fail at
some later read or, worse, at a write after a client was told nothing.
Both are refused here, on a read-only connection, with one
:class:`StoreError` that names the file. ``PRAGMA quick_check`` reads each
page once: about 0.4 s for a 200 MB store, paid when a command opens it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from exolab.emulator.store.errors import StoreError

OUR_TABLES = frozenset({"bodies", "messages", "sessions"})


def check_store_file(path: Path) -> None:
    """Return when ``path`` is absent, empty or an intact exolab store; else raise StoreError."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    try:
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: not a usable exolab store ({exc})") from exc
    try:
        rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        tables = {str(name) for (name,) in rows}
        if tables and not tables & OUR_TABLES:
            listed = ", ".join(sorted(tables)[:5])
            raise StoreError(f"{path}: not an exolab store (another program's tables: {listed})")
        (verdict,) = db.execute("PRAGMA quick_check(1)").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a usable exolab store ({exc})") from exc
    finally:
        db.close()
    if verdict != "ok":
        raise StoreError(f"{path}: damaged exolab store (SQLite's check: {verdict})")
