"""A session's lines of the lab's TLS key log, found by its ClientHello random."""

from __future__ import annotations

from pathlib import Path


def client_random(data: bytes) -> bytes | None:
    """The random of a ClientHello that starts ``data`` (record header 5, handshake header 4, version 2)."""
    if len(data) >= 43 and data[0] == 0x16 and data[1] == 3 and data[5] == 1:
        return data[11:43]
    return None


class KeyLogIndex:
    """Reads the shared key log incrementally: each session's close reads only what is new.

    Lines wait by client random until their session takes them, so a long lab
    run costs no re-reading of the whole file at every close.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._pending: dict[str, list[str]] = {}

    def take(self, random: bytes) -> list[str]:
        """Every NSS key log line for this client random (TLS 1.2: one; TLS 1.3: five)."""
        try:
            with self.path.open("rb") as file:
                file.seek(self._offset)
                chunk = file.read()
        except OSError:
            chunk = b""
        complete = chunk[: chunk.rfind(b"\n") + 1]  # a line being written waits for the next read
        self._offset += len(complete)
        for line in complete.decode("ascii", "replace").splitlines():
            fields = line.split(" ")
            if len(fields) == 3 and not line.startswith("#"):
                self._pending.setdefault(fields[1], []).append(line + "\n")
        return self._pending.pop(random.hex(), [])
