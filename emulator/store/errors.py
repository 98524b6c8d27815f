"""The store's errors: what a front end needs to know to answer the client.

A write that fails because the disk (or the store's size limit) is full is a
``StoreFull``: the client is told to try later with the storage reply MTAs
use, and nothing of that write was kept. Every other failure stays the
exception SQLite raised, so the session log shows the real cause.
"""

from __future__ import annotations

import errno
import sqlite3


class StoreError(Exception):
    """The store cannot do what was asked (for example the file is not an exolab store)."""


class StoreFull(StoreError):
    """The disk or the store's size limit is full: the write was refused and nothing kept."""


def classify(error: Exception) -> Exception:
    """The error a failed write stands for: SQLITE_FULL and ENOSPC become ``StoreFull``.

    SQLite reports a write that hits ENOSPC as SQLITE_FULL (and so does a
    database at its ``max_page_count``); an OSError with ENOSPC can still come
    from the file system around it (the WAL or its index being created).
    """
    if isinstance(error, StoreFull):
        return error
    full = (
        isinstance(error, sqlite3.Error)
        and (getattr(error, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_FULL
    ) or (isinstance(error, OSError) and error.errno == errno.ENOSPC)
    if not full:
        return error
    stored = StoreFull(f"store full: {error}")
    stored.__cause__ = error
    return stored
