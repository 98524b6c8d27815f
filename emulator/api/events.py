"""The console's live feed: who listens, and how they are woken.

Kept cheap on the lab's side: the store calls ``poke`` (one flag set per
listener, no data copied, no I/O) when a session or message is queued, and
each listener reads what is new itself, after the store's next commit. Tenant
and clock changes are small, so they are queued to each listener as they are.
A listener that falls ``BACKLOG`` events behind is told to reload instead.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

BACKLOG = 64
MAX_LISTENERS = 32
"""Open console pages per lab: a browser tab each; more is a leak, not a classroom."""


class Listener:
    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.events: deque[tuple[str, Any]] = deque()
        self.overflowed = False

    def push(self, kind: str, data: Any) -> None:
        if len(self.events) >= BACKLOG:
            self.overflowed = True
            self.events.clear()
        self.events.append((kind, data))
        self.wake.set()


class EventHub:
    """Every open console page of one lab."""

    def __init__(self) -> None:
        self.listeners: set[Listener] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closed = False

    def close(self) -> None:
        """The lab stops: every stream ends now, or the API's shutdown would wait for them."""
        self.closed = True
        self._wake_all()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def listen(self) -> Listener | None:
        """A new listener; None when ``MAX_LISTENERS`` are open already."""
        if self.closed or len(self.listeners) >= MAX_LISTENERS:
            return None
        listener = Listener()
        self.listeners.add(listener)
        return listener

    def leave(self, listener: Listener) -> None:
        self.listeners.discard(listener)

    def publish(self, kind: str, data: Any) -> None:
        for listener in list(self.listeners):
            listener.push(kind, data)

    def poke(self) -> None:
        """The store changed; safe from any thread."""
        if not self.listeners:
            return
        loop = self._loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is None or running is loop:
            self._wake_all()
        elif not loop.is_closed():
            loop.call_soon_threadsafe(self._wake_all)

    def _wake_all(self) -> None:
        for listener in list(self.listeners):
            listener.wake.set()
