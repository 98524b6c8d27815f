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

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exolab.emulator.replies import catalog
from exolab.emulator.replies.model import Reply, Trailer

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


# -- random input against a live front end ---------------------------------------------------

VERBS = [
    "EHLO mfp",
    "HELO mfp",
    "STARTTLS",
    "AUTH LOGIN",
    "AUTH PLAIN AGFiAGM=",
    "AUTH XOAUTH2",
    "MAIL FROM:<scanner@contoso.com>",
    "MAIL FROM:<>",
    "MAIL FROM:junk",
    "RCPT TO:<bob@contoso.com>",
    "RCPT TO:<>",
    "DATA",
    "BDAT 5",
    "BDAT x LAST",
    "RSET",
    "NOOP",
    "VRFY bob",
    "EXPN list",
    "HELP",
    "QUIT",
    "FOO",
    "",
    "MAIL FROM:<a@b.c> SIZE=99999999999",
    "*",
    "=",
    ".",
]

commands = st.lists(
    st.one_of(
        st.sampled_from(VERBS).map(lambda v: v.encode() + b"\r\n"),
        st.binary(max_size=300).map(lambda b: b.replace(b"\n", b"") + b"\r\n"),
        st.binary(min_size=1, max_size=3000),
    ),
    min_size=1,
    max_size=12,
)


def exchange(address: str, port: int, chunks: list[bytes]) -> list[str]:
    """Send everything, then read whatever comes back until the server goes quiet or closes.

    The banner is read first. A QUIT or a closing reply among the chunks ends
    the session early: the rest cannot be sent (broken pipe, reset), and what
    the server said before it closed is still judged.
    """
    sock = socket.create_connection((address, port), timeout=5, source_address=("127.20.0.20", 0))
    data = b""
    try:
        while b"\r\n" not in data:
            part = sock.recv(65536)
            if not part:
                break
            data += part
        try:
            for chunk in chunks:
                sock.sendall(chunk)
            sock.sendall(b"\r\nQUIT\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed the session (QUIT, too many errors)
        sock.settimeout(2)
        while True:
            try:
                part = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not part:
                break
            data += part
    finally:
        sock.close()
    return [line.decode("utf-8") for line in data.split(b"\r\n") if line]


def greeted(address: str, port: int) -> str:
    client = RawClient(address, port)
    try:
        return client.reply()[0]
    finally:
        client.close()


def random_input_replies(address: str, port: int, examples: int) -> set[str]:
    """Hypothesis sends random bytes and command orders; every line must be the catalog's and a
    fresh session must still be greeted. The catalog ids seen, for the caller to check."""
    seen: set[str] = set()

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(chunks=commands)
    def probe(chunks: list[bytes]) -> None:
        lines = exchange(address, port, chunks)
        assert lines, "the banner at least"
        for line in lines:
            reply_id = MATCHER.which(line)
            assert reply_id is not None, f"not from the catalog: {line!r}"
            seen.add(reply_id)
        assert greeted(address, port).startswith("220 ")

    probe()
    return seen
