"""Reading a capture file with scapy: TCP streams (both directions, in order) and DNS answers.

scapy's ``PcapReader`` streams packets one at a time, so a 100 MB capture is
never held whole; only the payload of TCP streams that may carry SMTP is kept,
and each direction is capped (``MAX_STREAM_BYTES``): a capture of a scan with
a large attachment keeps its dialogue, not megabytes of base64.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scapy.error import Scapy_Exception
from scapy.layers.dns import DNS
from scapy.layers.inet import IP, TCP
from scapy.layers.inet6 import IPv6
from scapy.utils import PcapReader

from exolab.scenarios.doctor.errors import CaptureError

MAX_STREAM_BYTES = 256 * 1024
"""Bytes kept per direction of one stream: the SMTP dialogue and TLS handshakes fit many times."""

SMTP_PORTS = frozenset({25, 465, 587})

Endpoint = tuple[str, int]


@dataclass
class Direction:
    """One direction's bytes, reassembled by sequence number (retransmissions dropped)."""

    isn: int | None = None
    segments: dict[int, bytes] = field(default_factory=dict)
    kept: int = 0

    def add(self, seq: int, payload: bytes, syn: bool) -> None:
        if syn:
            self.isn = seq + 1
            return
        if not payload or self.kept >= MAX_STREAM_BYTES:
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


def _packets(path: Path) -> Iterator[object]:
    try:
        with path.open("rb") as file:
            magic = file.read(4)
    except OSError as exc:
        raise CaptureError(f"{path}: cannot read ({exc.strerror})") from None
    if magic not in MAGICS:
        raise CaptureError(f"{path}: not a pcap or pcapng capture")
    try:
        reader = PcapReader(str(path))
    except (Scapy_Exception, OSError, EOFError, ValueError) as exc:
        raise CaptureError(f"{path}: not a pcap or pcapng capture ({exc})") from None
    truncation = _Truncation()
    logger = logging.getLogger("scapy.runtime")
    logger.addFilter(truncation)
    try:
        with reader:
            for packet in reader:
                if truncation.seen:
                    break
                yield packet
    except (Scapy_Exception, EOFError, ValueError, OSError) as exc:
        raise CaptureError(f"{path}: the capture is damaged ({exc})") from None
    finally:
        logger.removeFilter(truncation)
    if truncation.seen:
        raise CaptureError(
            f"{path}: the capture is truncated (its last packet is cut short); "
            "stop the capture cleanly (Ctrl-C in tcpdump/Wireshark) and copy it again"
        )


def read_capture(path: Path) -> Capture:
    """Every TCP stream of the capture and the DNS answers in it."""
    if not path.is_file():
        raise CaptureError(f"{path}: no such capture file")
    streams: dict[tuple[Endpoint, Endpoint], TcpStream] = {}
    dns: dict[str, set[str]] = {}
    count = 0
    for packet in _packets(path):
        count += 1
        ip = packet.getlayer(IP) or packet.getlayer(IPv6)  # type: ignore[attr-defined]
        if ip is None:
            continue
        if packet.haslayer(DNS):  # type: ignore[attr-defined]
            _note_dns(packet.getlayer(DNS), dns)  # type: ignore[attr-defined]
            continue
        tcp = ip.getlayer(TCP)
        if tcp is None:
            continue
        _add_segment(streams, str(ip.src), str(ip.dst), tcp, float(packet.time))  # type: ignore[attr-defined]
    return Capture(list(streams.values()), dns, count)


def _add_segment(
    streams: dict[tuple[Endpoint, Endpoint], TcpStream],
    src_ip: str,
    dst_ip: str,
    tcp: TCP,
    when: float,
) -> None:
    src: Endpoint = (src_ip, int(tcp.sport))
    dst: Endpoint = (dst_ip, int(tcp.dport))
    flags = int(tcp.flags)
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
        streams[(client, server)] = stream
        forward = src == client
        if syn and not ack:
            stream.saw_syn = True
    payload = bytes(tcp.payload)
    direction = stream.to_server if forward else stream.to_client
    before = direction.kept
    direction.add(int(tcp.seq), payload, syn)
    if direction.kept > before:
        stream.events.append(("C" if forward else "S", before))
    if fin or rst:
        if forward:
            stream.closed_by_client = True
        else:
            stream.closed_by_server = True


def _note_dns(dns: DNS, names: dict[str, set[str]]) -> None:
    for index in range(int(dns.ancount or 0)):
        try:
            answer = dns.an[index]
        except (IndexError, TypeError):
            return
        if getattr(answer, "type", None) in (1, 28):  # A, AAAA
            name = answer.rrname.decode("ascii", "replace").rstrip(".").lower()
            names.setdefault(str(answer.rdata), set()).add(name)
