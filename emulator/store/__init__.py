"""The durable message and session store (SQLite, WAL, synchronous=FULL).

A 250 after DATA means ``Store.commit_delivery`` has returned: the message is
on disk. Sessions are recorded when they end, with their transcript and the
notes that say which rule decided what.
"""

from exolab.emulator.store.errors import StoreError, StoreFull
from exolab.emulator.store.model import (
    FOLDERS,
    Folder,
    Placement,
    SessionRecord,
    StoredMessage,
    TranscriptLine,
)
from exolab.emulator.store.sqlite import STORE_FILE, Store

__all__ = [
    "FOLDERS",
    "STORE_FILE",
    "Folder",
    "Placement",
    "SessionRecord",
    "Store",
    "StoreError",
    "StoreFull",
    "StoredMessage",
    "TranscriptLine",
]
