"""A session's lines of the lab's TLS key log, found by its ClientHello random."""

from __future__ import annotations

from pathlib import Path


def client_random(data: bytes) -> bytes | None:
    """The random of a ClientHello that starts ``data`` (record header 5, handshake header 4, version 2)."""
    if len(data) >= 43 and data[0] == 0x16 and data[1] == 3 and data[5] == 1:
        return data[11:43]
    return None


def session_lines(keylog: Path, random: bytes) -> list[str]:
    """Every NSS key log line for this client random (TLS 1.2: one; TLS 1.3: five)."""
    wanted = random.hex()
    try:
        text = keylog.read_text("ascii", "replace")
    except OSError:
        return []
    return [line + "\n" for line in text.splitlines() if line.split(" ")[1:2] == [wanted]]
