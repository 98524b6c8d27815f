"""Test helpers: a catalog matcher for wire lines, and a tiny raw SMTP client.

``CatalogMatcher`` turns every catalog entry into a regular expression (its
placeholders and trailer become wildcards), so a test can assert that each
line a live server sent came from the catalog and nowhere else.
"""

from __future__ import annotations

import re
import socket
import ssl
from dataclasses import dataclass, field

from emulator.replies import catalog
from emulator.replies.model import Reply, Trailer

_TRAILER = r"(?: \[[^\]]+\])?"


def _template(text: str) -> str:
    out, pos = [], 0
    for m in re.finditer(r"\{[a-z_]+\}", text):
        out.append(re.escape(text[pos : m.start()]))
        out.append(r".*?")
        pos = m.end()
    out.append(re.escape(text[pos:]))
    return "".join(out)


def _patterns(reply: Reply) -> list[re.Pattern[str]]:
    code = r"\d{3}" if reply.id == "auth.legacy_tls.not_opted_in" else str(reply.code)
    enhanced = (
        r"[245]\.7\.67 "
        if reply.id == "auth.legacy_tls.not_opted_in"
        else (re.escape(reply.enhanced) + " " if reply.enhanced else "")
    )
    trailer = _TRAILER if reply.trailer is not Trailer.NONE else ""
    first = f"{enhanced}{_template(reply.text)}{trailer}"
    body = [first, *(_template(line) for line in reply.lines)]
    pats = []
    for i, text in enumerate(body):
        sep = " " if i == len(body) - 1 else "-"
        pats.append(re.compile(rf"{code}{sep}{text}".rstrip() + r"\s*"))
        if len(body) > 1:  # a continuation line may also be last when lines are trimmed
            pats.append(re.compile(rf"{code}[ -]{text}".rstrip() + r"\s*"))
    return pats


@dataclass
class CatalogMatcher:
    patterns: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for reply in catalog.all_replies():
            for p in _patterns(reply):
                self.patterns.append((reply.id, p))

    def which(self, line: str) -> str | None:
        for reply_id, pattern in self.patterns:
            if pattern.fullmatch(line):
                return reply_id
        return None


MATCHER = CatalogMatcher()


class RawClient:
    """Line-level client for tests that need exact control (pipelining, BDAT, junk)."""

    def __init__(
        self, address: str, port: int, source: str = "127.20.0.10", timeout: float = 10
    ) -> None:
        self.sock: socket.socket | ssl.SSLSocket = socket.create_connection(
            (address, port), timeout=timeout, source_address=(source, 0)
        )
        self.buffer = b""
        self.lines: list[str] = []

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def line(self) -> str:
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\r\n", 1)
        text = raw.decode("utf-8")
        self.lines.append(text)
        return text

    def reply(self) -> list[str]:
        """One whole (possibly multi-line) reply."""
        out = [self.line()]
        while out[-1][3:4] == "-":
            out.append(self.line())
        return out

    def cmd(self, text: str) -> list[str]:
        self.send(text.encode() + b"\r\n")
        return self.reply()

    def starttls(self, context: ssl.SSLContext, host: str = "smtp.office365.com") -> list[str]:
        r = self.cmd("STARTTLS")
        if r[0].startswith("220"):
            self.sock = context.wrap_socket(self.sock, server_hostname=host)
        return r

    def closed(self) -> bool:
        """True when the server closed the connection (reads EOF)."""
        try:
            return self.sock.recv(1) == b""
        except (ConnectionResetError, ssl.SSLError):
            return True

    def close(self) -> None:
        self.sock.close()
