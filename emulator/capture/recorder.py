"""The recorder: a protocol and a transport wrapped around a front end's connection.

Installed by a service around its protocol factory only when the lab
captures, so the front end itself has no capture branch. It sits below TLS:
a STARTTLS that moves the connection to an SSL protocol
(``transport.set_protocol``) moves it behind the recorder, which keeps
recording the raw (encrypted) bytes, as a capture on the wire would.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from exolab.emulator.capture.keys import KeyLogIndex, client_random
from exolab.emulator.capture.pcap import SessionPcap


class CaptureSink:
    """Where one lab's captures go: ``DIR/<session id>.pcap`` and ``.keys``, one shared key log."""

    def __init__(self, directory: Path, now: Callable[[], float]) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.keylog = directory / "tls-keys.log"
        self._keys = KeyLogIndex(self.keylog)
        self.now = now
        self._next = 0

    def open(self, client: tuple[str, int], server: tuple[str, int]) -> SessionPcap:
        self._next += 1
        return SessionPcap(self.directory / f"open-{self._next}.pcap", client, server, self.now())

    def finish(self, pcap: SessionPcap, session_id: int | None, random: bytes | None) -> None:
        pcap.close(self.now())
        if session_id is None:
            pcap.path.unlink(missing_ok=True)  # refused before a session began: nothing to link
            return
        final = self.directory / f"{session_id}.pcap"
        pcap.path.replace(final)
        if random is not None:
            lines = self._keys.take(random)
            if lines:
                (self.directory / f"{session_id}.keys").write_text("".join(lines), "ascii")


class _RecordingTransport(asyncio.Transport):
    """The transport the front end (and, after STARTTLS, its SSL protocol) writes to."""

    def __init__(self, real: asyncio.Transport, recorder: _RecordingProtocol) -> None:
        super().__init__()
        self._real = real
        self._recorder = recorder

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._recorder.sent(bytes(data))
        self._real.write(data)

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._recorder.inner = protocol  # STARTTLS: the raw bytes keep passing the recorder

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._recorder.inner

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._real.get_extra_info(name, default)

    def is_closing(self) -> bool:
        return self._real.is_closing()

    def close(self) -> None:
        self._real.close()

    def abort(self) -> None:
        self._real.abort()

    def write_eof(self) -> None:
        self._real.write_eof()

    def can_write_eof(self) -> bool:
        return self._real.can_write_eof()

    def pause_reading(self) -> None:
        self._real.pause_reading()

    def resume_reading(self) -> None:
        self._real.resume_reading()

    def is_reading(self) -> bool:
        return self._real.is_reading()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._real.set_write_buffer_limits(high, low)

    def get_write_buffer_size(self) -> int:
        return self._real.get_write_buffer_size()

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._real.get_write_buffer_limits()


class _RecordingProtocol(asyncio.Protocol):
    def __init__(self, inner: asyncio.BaseProtocol, sink: CaptureSink) -> None:
        self.inner = inner
        self.app = inner
        self.sink = sink
        self.pcap: SessionPcap | None = None
        self.random: bytes | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        real = transport if isinstance(transport, asyncio.Transport) else None
        if real is not None:
            client = real.get_extra_info("peername") or ("0.0.0.0", 0)
            server = real.get_extra_info("sockname") or ("0.0.0.0", 0)
            with contextlib.suppress(OSError, ValueError):
                self.pcap = self.sink.open((client[0], client[1]), (server[0], server[1]))
            self.inner.connection_made(_RecordingTransport(real, self))
        else:
            self.inner.connection_made(transport)

    def sent(self, data: bytes) -> None:
        if self.pcap is not None:
            self.pcap.data("S", data, self.sink.now())

    def data_received(self, data: bytes) -> None:
        if self.pcap is not None:
            self.pcap.data("C", data, self.sink.now())
            if self.random is None:
                self.random = client_random(data)
        inner = self.inner
        if isinstance(inner, asyncio.BufferedProtocol):  # the SSL protocol after STARTTLS
            view = memoryview(data)
            while view:
                buffer = memoryview(inner.get_buffer(len(view)))
                size = min(len(buffer), len(view))
                buffer[:size] = view[:size]
                inner.buffer_updated(size)
                view = view[size:]
        else:
            inner.data_received(data)  # type: ignore[attr-defined]

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()  # type: ignore[attr-defined, no-any-return]

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        try:
            self.inner.connection_lost(exc)
        finally:
            if self.pcap is not None:
                state = getattr(self.app, "state", None)
                with contextlib.suppress(OSError):
                    self.sink.finish(self.pcap, getattr(state, "id", None), self.random)


def recording(
    factory: Callable[[], asyncio.BaseProtocol], sink: CaptureSink | None
) -> Callable[[], asyncio.BaseProtocol]:
    """``factory`` itself when the lab does not capture: no wrapper, no cost."""
    if sink is None:
        return factory
    return lambda: _RecordingProtocol(factory(), sink)
