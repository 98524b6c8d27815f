"""Reading a capture file with scapy: TCP streams (both directions, in order) and DNS answers.

scapy's raw reader (``RawPcapReader``, pcap and pcapng) streams records one
at a time, so a 100 MB capture is never held whole. Link, IP and TCP headers
are read here with ``struct``: dissecting every packet into scapy objects
reads about 1.5 MB/s, too slow for a capture from a busy switch port; scapy
still dissects the DNS answers, which are few. Each direction of a stream
is capped (``MAX_STREAM_BYTES``): a scan with a large attachment keeps its
dialogue, not megabytes of base64.
"""

from __future__ import annotations

import ipaddress
import logging
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scapy.error import Scapy_Exception
from scapy.layers.dns import DNS
from scapy.utils import RawPcapReader

from exolab.scenarios.doctor.errors import CaptureError

MAX_STREAM_BYTES = 256 * 1024
"""Bytes kept per direction of one stream: the SMTP dialogue and TLS handshakes fit many times."""

OTHER_STREAM_BYTES = 16 * 1024
"""Bytes kept per direction of a stream on another port until its server greets with 220:
enough for a ClientHello (implicit TLS that names a Microsoft host), so a capture full of
web traffic costs little memory."""

SMTP_PORTS = frozenset({25, 465, 587})

Endpoint = tuple[str, int]


@dataclass
class Direction:
    """One direction's bytes, reassembled by sequence number (retransmissions dropped)."""

    isn: int | None = None
    segments: dict[int, bytes] = field(default_factory=dict)
    kept: int = 0
    limit: int = MAX_STREAM_BYTES

    def add(self, seq: int, payload: bytes, syn: bool) -> None:
        if syn:
            self.isn = seq + 1
            return
        if not payload or self.kept >= self.limit:
            return
        if self.isn is None:
            self.isn = seq  # the capture started mid-stream
        offset = (seq - self.isn) % 2**32
        if offset in self.segments or offset > 2**31:
            return
        self.segments[offset] = payload
        self.kept += len(payload)

    def data(self) -> bytes:
        out = bytearray()
        for offset in sorted(self.segments):
            chunk = self.segments[offset]
            if offset < len(out):
                chunk = chunk[len(out) - offset :]
            elif offset > len(out):
                break  # a gap: what follows cannot be read in order
            out += chunk
        return bytes(out)


@dataclass
class TcpStream:
    client: Endpoint
    server: Endpoint
    first_seen: float
    to_server: Direction = field(default_factory=Direction)
    to_client: Direction = field(default_factory=Direction)
    saw_syn: bool = False
    closed_by_server: bool = False
    closed_by_client: bool = False
    events: list[tuple[str, int]] = field(default_factory=list)
    """(direction "C"/"S", byte offset in that direction) in capture order: who spoke when."""


@dataclass
class Capture:
    streams: list[TcpStream]
    dns_names: dict[str, set[str]]
    """Address -> the names DNS answers in the capture gave it."""
    packets: int


class _Truncation(logging.Filter):
    """scapy only logs a cut-short packet; note it (and keep it off the user's terminal)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def filter(self, record: logging.LogRecord) -> bool:
        if "truncated" in record.getMessage():
            self.seen = True
            return False
        return True


MAGICS = frozenset(
    {
        b"\xa1\xb2\xc3\xd4",
        b"\xd4\xc3\xb2\xa1",
        b"\xa1\xb2\x3c\x4d",
        b"\x4d\x3c\xb2\xa1",
        b"\x0a\x0d\x0d\x0a",
    }
)
"""pcap (both byte orders, micro- and nanosecond) and pcapng: checked before scapy opens the file."""


def _records(path: Path) -> Iterator[tuple[int, bytes, float]]:
    """(link type, frame, time) of each record."""
    try:
        with path.open("rb") as file:
            magic = file.read(4)
    except OSError as exc:
        raise CaptureError(f"{path}: cannot read ({exc.strerror})") from None
    if magic not in MAGICS:
        raise CaptureError(f"{path}: not a pcap or pcapng capture")
    try:
        reader = RawPcapReader(str(path))
    except (Scapy_Exception, OSError, EOFError, ValueError) as exc:
        raise CaptureError(f"{path}: not a pcap or pcapng capture ({exc})") from None
    truncation = _Truncation()
    logger = logging.getLogger("scapy.runtime")
    logger.addFilter(truncation)
    default_link = int(getattr(reader, "linktype", None) or 1)
    try:
        with reader:
            for frame, meta in reader:
                if truncation.seen:
                    break
                link = int(getattr(meta, "linktype", default_link))
                when = _seconds(meta)
                yield link, frame, when
    except (Scapy_Exception, EOFError, ValueError, OSError, struct.error) as exc:
        raise CaptureError(f"{path}: the capture is damaged ({exc})") from None
    finally:
        logger.removeFilter(truncation)
    if truncation.seen:
        raise CaptureError(
            f"{path}: the capture is truncated (its last packet is cut short); "
            "stop the capture cleanly (Ctrl-C in tcpdump/Wireshark) and copy it again"
        )


def _seconds(meta: Any) -> float:
    """A record's time: pcap's (sec, usec) or pcapng's (tshigh, tslow, tsresol)."""
    if hasattr(meta, "sec"):
        return float(meta.sec + meta.usec / 1e6)
    return float(((meta.tshigh << 32) + meta.tslow) / (meta.tsresol or 1_000_000))


def _network_layer(link: int, frame: bytes) -> tuple[int, bytes] | None:
    """(IP version, IP packet) of a frame of the common link types, or None."""
    if link == 1:  # Ethernet, with up to two VLAN tags (a mirror port often keeps them)
        pos, ethertype = 12, 0
        for _ in range(3):
            if len(frame) < pos + 2:
                return None
            ethertype = int.from_bytes(frame[pos : pos + 2], "big")
            pos += 2
            if ethertype not in (0x8100, 0x88A8):
                break
            pos += 2
        data = frame[pos:]
    elif link == 113:  # Linux cooked (tcpdump -i any)
        ethertype, data = int.from_bytes(frame[14:16], "big"), frame[16:]
    elif link == 276:  # Linux cooked v2
        ethertype, data = int.from_bytes(frame[0:2], "big"), frame[20:]
    elif link in (0, 108):  # BSD loopback
        data = frame[4:]
        ethertype = 0x0800 if data[:1] and data[0] >> 4 == 4 else 0x86DD
    elif link in (12, 14, 101, 228, 229):  # raw IP
        data = frame
        ethertype = 0x0800 if data[:1] and data[0] >> 4 == 4 else 0x86DD
    else:
        return None
    if ethertype == 0x0800:
        return 4, data
    if ethertype == 0x86DD:
        return 6, data
    return None


def read_capture(path: Path) -> Capture:
    """Every TCP stream of the capture and the DNS answers in it."""
    if not path.is_file():
        raise CaptureError(f"{path}: no such capture file")
    streams: dict[tuple[Endpoint, Endpoint], TcpStream] = {}
    dns: dict[str, set[str]] = {}
    count = 0
    for link, frame, when in _records(path):
        count += 1
        layer = _network_layer(link, frame)
        if layer is None:
            continue
        version, packet = layer
        src: ipaddress.IPv4Address | ipaddress.IPv6Address
        dst: ipaddress.IPv4Address | ipaddress.IPv6Address
        if version == 4 and len(packet) >= 20:
            header = (packet[0] & 0x0F) * 4
            proto, src, dst = (
                packet[9],
                ipaddress.IPv4Address(packet[12:16]),
                ipaddress.IPv4Address(packet[16:20]),
            )
            end = min(len(packet), int.from_bytes(packet[2:4], "big") or len(packet))
            body = packet[header:end]
        elif version == 6 and len(packet) >= 40:
            proto, src, dst = (
                packet[6],
                ipaddress.IPv6Address(packet[8:24]),
                ipaddress.IPv6Address(packet[24:40]),
            )
            body = packet[40 : 40 + int.from_bytes(packet[4:6], "big")]
        else:
            continue
        if proto == 17 and len(body) >= 8 and 53 in struct.unpack(">HH", body[:4]):
            _note_dns(body[8:], dns)
        elif proto == 6 and len(body) >= 20:
            _add_segment(streams, str(src), str(dst), body, when)
    return Capture(list(streams.values()), dns, count)


def _add_segment(
    streams: dict[tuple[Endpoint, Endpoint], TcpStream],
    src_ip: str,
    dst_ip: str,
    tcp: bytes,
    when: float,
) -> None:
    sport, dport, seq_number = struct.unpack(">HHI", tcp[:8])
    src: Endpoint = (src_ip, sport)
    dst: Endpoint = (dst_ip, dport)
    flags = tcp[13]
    syn, ack, fin, rst = (
        bool(flags & 0x02),
        bool(flags & 0x10),
        bool(flags & 0x01),
        bool(flags & 0x04),
    )
    stream = streams.get((src, dst))
    forward = True
    if stream is None:
        stream = streams.get((dst, src))
        forward = False
    if stream is None:
        if syn and not ack:
            client, server = src, dst
        elif syn and ack:
            client, server = dst, src
        elif dst[1] in SMTP_PORTS or (src[1] not in SMTP_PORTS and dst[1] < src[1]):
            client, server = src, dst  # mid-stream: the well-known (or lower) port serves
        else:
            client, server = dst, src
        stream = TcpStream(client, server, when)
        if server[1] not in SMTP_PORTS:
            stream.to_server.limit = stream.to_client.limit = OTHER_STREAM_BYTES
        streams[(client, server)] = stream
        forward = src == client
        if syn and not ack:
            stream.saw_syn = True
    payload = tcp[(tcp[12] >> 4) * 4 :]
    direction = stream.to_server if forward else stream.to_client
    before = direction.kept
    if not forward and direction.kept == 0 and payload[:3] == b"220":
        stream.to_server.limit = stream.to_client.limit = MAX_STREAM_BYTES  # SMTP on any port
    direction.add(seq_number, payload, syn)
    if direction.kept > before:
        stream.events.append(("C" if forward else "S", before))
    if fin or rst:
        if forward:
            stream.closed_by_client = True
        else:
            stream.closed_by_server = True


def _note_dns(message: bytes, names: dict[str, set[str]]) -> None:
    """A and AAAA answers: which name the client looked up for an address."""
    try:
        dns = DNS(message)
    except Exception:  # a malformed DNS message in someone's capture is not our error
        return
    if not dns.qr:
        return
    for index in range(int(dns.ancount or 0)):
        try:
            answer = dns.an[index]
        except (IndexError, TypeError):
            return
        if getattr(answer, "type", None) in (1, 28):  # A, AAAA
            name = answer.rrname.decode("ascii", "replace").rstrip(".").lower()
            names.setdefault(str(answer.rdata), set()).add(name)
