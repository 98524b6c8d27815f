"""Small captures built with scapy: one TCP conversation from its bytes, plus DNS answers."""

from __future__ import annotations

from pathlib import Path

from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Packet, Raw
from scapy.utils import wrpcap


def conversation(
    client: tuple[str, int], server: tuple[str, int], exchange: list[tuple[str, bytes]]
) -> list[Packet]:
    """SYN, SYN-ACK, then each (``"C"``/``"S"``, bytes) as one segment, then the server's FIN."""
    seq = {"C": 1000, "S": 5000}
    ends = {"C": (client, server), "S": (server, client)}

    def segment(side: str, flags: str, data: bytes = b"") -> Packet:
        (sa, sp), (da, dp) = ends[side]
        packet = Ether() / IP(src=sa, dst=da) / TCP(sport=sp, dport=dp, flags=flags, seq=seq[side])
        if data:
            packet = packet / Raw(data)
        return packet

    packets = [segment("C", "S")]
    seq["C"] += 1
    packets.append(segment("S", "SA"))
    seq["S"] += 1
    for side, data in exchange:
        packets.append(segment(side, "PA", data))
        seq[side] += len(data)
    packets.append(segment("S", "FA"))
    return packets


def dns_answer(name: str, address: str) -> Packet:
    return (
        Ether()
        / IP(src="127.10.0.53", dst="127.20.0.10")
        / UDP(sport=53, dport=40000)
        / DNS(qr=1, qd=DNSQR(qname=name), an=DNSRR(rrname=name, type="A", rdata=address))
    )


def write(path: Path, packets: list[Packet]) -> Path:
    wrpcap(str(path), packets)
    return path


def client_hello(sni: str | None, suites: list[int], version: int = 0x0303) -> bytes:
    """A minimal ClientHello record (no supported_versions: ``version`` is the highest)."""
    exts = b""
    if sni is not None:
        name = sni.encode()
        entry = b"\x00" + len(name).to_bytes(2, "big") + name
        body = len(entry).to_bytes(2, "big") + entry
        exts += b"\x00\x00" + len(body).to_bytes(2, "big") + body
    suite_bytes = b"".join(s.to_bytes(2, "big") for s in suites)
    hello = (
        version.to_bytes(2, "big") + bytes(32) + b"\x00"
        + len(suite_bytes).to_bytes(2, "big") + suite_bytes + b"\x01\x00"
        + len(exts).to_bytes(2, "big") + exts
    )  # fmt: skip
    handshake = b"\x01" + len(hello).to_bytes(3, "big") + hello
    return b"\x16\x03\x01" + len(handshake).to_bytes(2, "big") + handshake
