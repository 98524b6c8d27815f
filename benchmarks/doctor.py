"""Benchmark: `exolab doctor` reading a 100 MB capture (a goal: well under a minute).

The capture is generated: one SMTP conversation (STARTTLS with a TLS 1.0
ClientHello) among bulk TCP traffic of 1,400-byte segments on other ports
(the shape of a capture taken on a busy switch port). Records are written
with struct from packets scapy builds once, so making the file is quick;
reading it is what is measured. Run alone:

    .venv/bin/python -m benchmarks.doctor [--megabytes 100]
"""

from __future__ import annotations

import argparse
import struct
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether
from scapy.packet import Raw

from benchmarks.record import FIGURES, Figure
from exolab.scenarios.doctor import diagnose

TARGET_SECONDS = 60.0
PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)


def _record(frame: bytes, when: float) -> bytes:
    return struct.pack("<IIII", int(when), int(when % 1 * 1e6), len(frame), len(frame)) + frame


def generate(path: Path, megabytes: int) -> int:
    """Write the capture; the number of packets."""
    smtp = [
        ("S", b"220 host.outlook.office365.com Microsoft ESMTP MAIL Service ready\r\n"),
        ("C", b"EHLO mfp\r\n"),
        ("S", b"250-host\r\n250 STARTTLS\r\n"),
        ("C", b"STARTTLS\r\n"),
        ("S", b"220 2.0.0 SMTP server ready\r\n"),
        ("C", b"\x16\x03\x01\x00\x2d\x01\x00\x00\x29\x03\x01" + bytes(32) + b"\x00\x00\x02\x00\x2f\x01\x00"),
    ]  # fmt: skip
    count = 0
    seq = {"C": 1, "S": 1}
    with path.open("wb") as out:
        out.write(PCAP_HEADER)
        for side, data in smtp:
            src, dst = (("127.20.0.10", 40000), ("127.10.0.1", 587))[:: 1 if side == "C" else -1]
            packet = Ether() / IP(src=src[0], dst=dst[0])
            packet /= TCP(sport=src[1], dport=dst[1], flags="PA", seq=seq[side]) / Raw(data)
            seq[side] += len(data)
            out.write(_record(bytes(packet), 1.0 + count / 1000))
            count += 1
        bulk = bytes(
            Ether()
            / IP(src="10.0.0.2", dst="10.0.0.3")
            / TCP(sport=50000, dport=443, flags="A")
            / Raw(bytes(1400))
        )
        seq_offset = 38  # Ether (14) + IP (20) + ports (4)
        while out.tell() < megabytes * 1024 * 1024:
            frame = (
                bulk[:seq_offset]
                + struct.pack(">I", (count * 1400) % 2**32)
                + bulk[seq_offset + 4 :]
            )
            out.write(_record(frame, 2.0 + count / 1000))
            count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.doctor", description=__doc__)
    parser.add_argument("--megabytes", type=int, default=100)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.pcap"
        packets = generate(path, args.megabytes)
        size = path.stat().st_size / 1024 / 1024
        start = time.perf_counter()
        streams = diagnose(path)
        seconds = time.perf_counter() - start
    findings = sum(len(s.findings) for s in streams)
    print(
        f"doctor: {size:.0f} MB capture, {packets} packets, {len(streams)} SMTP stream(s), {findings} finding(s)"
    )
    ok = seconds < TARGET_SECONDS
    verdict = "ok" if ok else "below target"
    print(
        f"read and judged in {seconds:.1f} s ({size / seconds:.1f} MB/s; target < {TARGET_SECONDS:.0f} s); {verdict}"
    )
    FIGURES.note(
        Figure(
            case=f"doctor, {size:.0f} MB capture",
            measured=f"{size / seconds:.1f} MB/s, {packets} packets",
            result=f"{seconds:.1f} s",
            target=f"< {TARGET_SECONDS:.0f} s",
            ok=ok,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
