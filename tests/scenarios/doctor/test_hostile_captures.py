"""Someone else's capture is hostile input: any bytes give findings or a CaptureError, never a crash."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exolab.scenarios.doctor import CaptureError, diagnose
from tests.scenarios.doctor import synth

BASE = [
    ("S", b"220 host Microsoft ESMTP MAIL Service ready\r\n"),
    ("C", b"EHLO mfp\r\nAUTH PLAIN AGEAYg==\r\n"),
    ("S", b"250-host\r\n250 STARTTLS\r\n"),
    ("C", b"STARTTLS\r\n"),
    ("S", b"220 2.0.0 SMTP server ready\r\n"),
    ("C", synth.client_hello("smtp.office365.com", [0xC030, 0x002F])),
]


def _template() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = synth.write(
            Path(tmp) / "t.pcap",
            synth.conversation(("127.20.0.10", 40000), ("127.10.0.1", 587), BASE),
        )
        return path.read_bytes()


TEMPLATE = _template()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    flips=st.lists(st.tuples(st.integers(24, len(TEMPLATE) - 1), st.integers(0, 255)), max_size=12),
    cut=st.integers(24, len(TEMPLATE)),
)
def test_mutated_captures_never_crash(flips: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(TEMPLATE)
    for index, value in flips:
        data[index] = value
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.pcap"
        path.write_bytes(bytes(data[:cut]))
        try:
            streams = diagnose(path)
        except CaptureError:
            return
        for stream in streams:
            assert all(len(line.text) <= 1000 for line in stream.conversation.lines)


@settings(max_examples=100, deadline=None)
@given(payload=st.binary(max_size=600), server=st.binary(max_size=600))
def test_any_bytes_on_an_smtp_port(payload: bytes, server: bytes) -> None:
    exchange = [("S", b"220 x\r\n" + server), ("C", payload or b"x")]
    with tempfile.TemporaryDirectory() as tmp:
        path = synth.write(
            Path(tmp) / "b.pcap",
            synth.conversation(("127.20.0.10", 40000), ("127.10.0.1", 25), exchange),
        )
        with contextlib.suppress(CaptureError):
            diagnose(path)
