"""One session's pcap, written as the session runs: IPv4/TCP packets synthesised from its bytes."""

from __future__ import annotations

import ipaddress
import struct
from pathlib import Path
from typing import BinaryIO

LINKTYPE_RAW = 101
"""Raw IPv4: no made-up Ethernet addresses."""
MSS = 1460
_SYN, _ACK, _PSH, _FIN = 0x02, 0x10, 0x08, 0x01
_TCP = struct.Struct(">HHIIBBHHH")
_IP = struct.Struct(">BBHHHBBH4s4s")
_RECORD = struct.Struct("<IIII")


def _checksum(header: bytes) -> int:
    total: int = sum(struct.unpack(f">{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


class SessionPcap:
    """A pcap file for one TCP connection: handshake, each chunk of bytes as segments, FINs."""

    def __init__(
        self, path: Path, client: tuple[str, int], server: tuple[str, int], now: float
    ) -> None:
        self.path = path
        self._file: BinaryIO = path.open("wb")
        self._file.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, LINKTYPE_RAW))
        self._ends = {"C": (client, server), "S": (server, client)}
        self._packed = {
            side: (ipaddress.IPv4Address(a[0]).packed, ipaddress.IPv4Address(b[0]).packed)
            for side, (a, b) in self._ends.items()
        }
        self._seq = {"C": 1_000_000, "S": 2_000_000}
        self._ip_id = 0
        self._packet("C", _SYN, b"", now)
        self._seq["C"] += 1
        self._packet("S", _SYN | _ACK, b"", now)
        self._seq["S"] += 1
        self._packet("C", _ACK, b"", now)

    def data(self, side: str, data: bytes, now: float) -> None:
        for start in range(0, len(data), MSS):
            chunk = data[start : start + MSS]
            self._packet(side, _PSH | _ACK, chunk, now)
            self._seq[side] += len(chunk)

    def close(self, now: float) -> None:
        if self._file.closed:
            return
        for side in ("C", "S"):
            self._packet(side, _FIN | _ACK, b"", now)
            self._seq[side] += 1
        self._file.close()

    def _packet(self, side: str, flags: int, payload: bytes, now: float) -> None:
        (_, sport), (_, dport) = self._ends[side]
        src, dst = self._packed[side]
        other = "S" if side == "C" else "C"
        ack = self._seq[other] if flags & _ACK else 0
        tcp = _TCP.pack(
            sport, dport, self._seq[side] % 2**32, ack % 2**32, 5 << 4, flags, 65535, 0, 0
        )
        self._ip_id = (self._ip_id + 1) & 0xFFFF
        header = _IP.pack(0x45, 0, 40 + len(payload), self._ip_id, 0x4000, 64, 6, 0, src, dst)
        header = header[:10] + _checksum(header).to_bytes(2, "big") + header[12:]
        seconds = int(now)
        self._file.write(
            _RECORD.pack(seconds, int((now - seconds) * 1e6), 40 + len(payload), 40 + len(payload))
        )
        self._file.write(header + tcp)
        self._file.write(payload)
