"""Decrypting a conversation's TLS part with an NSS key log (scapy's TLS layer).

The records of both directions are fed to one scapy ``tlsSession`` in the
order they crossed the wire (the capture's segment order), mirrored at each
change of direction, as scapy's TLS layer expects. The key log must hold the
secret of the ClientHello's random (``CLIENT_RANDOM`` for TLS 1.2 and older,
the ``*_TRAFFIC_SECRET`` lines for TLS 1.3); a key log with no line for any
session of the capture is an error, not an empty result.
"""

from __future__ import annotations

import binascii
import logging
from collections.abc import Mapping
from pathlib import Path

from exolab.scenarios.doctor.conversation import Conversation, interleave
from exolab.scenarios.doctor.errors import CaptureError

Secrets = Mapping[str, Mapping[bytes, bytes]]
LABELS = frozenset(
    {
        "CLIENT_RANDOM", "CLIENT_EARLY_TRAFFIC_SECRET", "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0",
        "EARLY_EXPORTER_SECRET", "EXPORTER_SECRET",
    }
)  # fmt: skip
MAX_KEYLOG_BYTES = 16 * 1024 * 1024


def read_keylog(path: Path) -> Secrets:
    """The NSS key log as {label: {client random: secret}}; CaptureError when it is not one."""
    try:
        if path.stat().st_size > MAX_KEYLOG_BYTES:
            raise CaptureError(f"{path}: too large for a key log")
        text = path.read_text("ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaptureError(f"{path}: cannot read the key log ({exc})") from None
    secrets: dict[str, dict[bytes, bytes]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 3 or parts[0] not in LABELS:
            raise CaptureError(f"{path}: line {number} is not an NSS key log line")
        try:
            secrets.setdefault(parts[0], {})[binascii.unhexlify(parts[1])] = binascii.unhexlify(
                parts[2]
            )
        except (binascii.Error, ValueError):
            raise CaptureError(f"{path}: line {number} is not hexadecimal") from None
    if not secrets:
        raise CaptureError(f"{path}: the key log holds no secret")
    return secrets


def has_secret(conv: Conversation, secrets: Secrets) -> bool:
    hello = conv.tls.client_hello if conv.tls else None
    return hello is not None and any(hello.random in table for table in secrets.values())


def _ordered_records(conv: Conversation, order: list[tuple[str, int]]) -> list[tuple[str, bytes]]:
    """Each whole record of both directions, in the order its first byte was captured."""
    out: list[tuple[int, int, str, bytes]] = []
    for side, data, base in (
        ("C", conv.client_tls_bytes, conv.client_tls_offset),
        ("S", conv.server_tls_bytes, conv.server_tls_offset),
    ):
        starts = [(index, offset) for index, (d, offset) in enumerate(order) if d == side]
        pos = 0
        while pos + 5 <= len(data):
            end = pos + 5 + int.from_bytes(data[pos + 3 : pos + 5], "big")
            if end > len(data):
                break
            at = base + pos
            arrival = max((i for i, offset in starts if offset <= at), default=0)
            out.append((arrival, pos, side, data[pos:end]))
            pos = end
    out.sort(key=lambda item: (item[0], item[2] == "S", item[1]))
    return [(side, record) for _, _, side, record in out]


def decrypt(conv: Conversation, secrets: Secrets, order: list[tuple[str, int]]) -> bool:
    """Append the decrypted dialogue to ``conv.lines``; False when this session has no secret."""
    if not has_secret(conv, secrets):
        return False
    from scapy.layers.tls.all import TLS, TLSApplicationData, tlsSession  # heavy: only when asked

    session = tlsSession()  # type: ignore[no-untyped-call]
    session.nss_keys = {k: dict(v) for k, v in secrets.items()}
    plain: dict[str, bytearray] = {"C": bytearray(), "S": bytearray()}
    last = "C"
    scapy_log = logging.getLogger("scapy")
    level = scapy_log.level
    scapy_log.setLevel(logging.CRITICAL)  # a record scapy cannot read is our error, not its warning
    try:
        for side, record in _ordered_records(conv, order):
            if side != last:
                session = session.mirror()  # type: ignore[no-untyped-call]
                last = side
            packet = TLS(record, tls_session=session)  # type: ignore[no-untyped-call]
            session = packet.tls_session
            inner = getattr(packet, "inner", None)  # TLS 1.3: the decrypted TLSInnerPlaintext
            for message in [*getattr(packet, "msg", []), *getattr(inner, "msg", [])]:
                if isinstance(message, TLSApplicationData):
                    plain[side] += bytes(message.data)
    except Exception as exc:  # scapy raises many types on a record it cannot read
        raise CaptureError(
            f"the key log does not decrypt {conv.client[0]}:{conv.client[1]}: {exc}"
        ) from None
    finally:
        scapy_log.setLevel(level)
    client = _lines(plain["C"])
    server = _lines(plain["S"])
    if not client and not server:
        return False
    conv.lines = conv.lines + interleave(client, server, encrypted=True)
    conv.decrypted = True
    return True


def _lines(data: bytearray) -> list[str]:
    out = [
        line.rstrip(b"\r").decode("utf-8", "backslashreplace")[:1000]
        for line in bytes(data).split(b"\n")
    ]
    return out[:-1] if out and out[-1] == "" else out
