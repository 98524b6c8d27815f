"""One TCP stream read as an SMTP conversation: the clear dialogue, the TLS hellos, what followed.

Pure: bytes in, a ``Conversation`` out. A stream is SMTP when it is on port
25, 587 or 465, or when the server's first bytes are a ``220`` greeting; a
stream on port 465 (or any port) whose client speaks TLS first is implicit
TLS.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

from exolab.scenarios.doctor import tls
from exolab.scenarios.doctor.capture import SMTP_PORTS, TcpStream

MAX_LINE = 1000
_REPLY = re.compile(r"^(\d{3})([ -])(.*)$")
_ADDRESS = re.compile(r"<([^>]*)>")


@dataclass(frozen=True)
class Line:
    dir: str
    """"C" the client, "S" the server."""
    text: str
    encrypted: bool = False
    """Read from the decrypted part (with a key log)."""


@dataclass
class Conversation:
    client: tuple[str, int]
    server: tuple[str, int]
    lines: list[Line] = field(default_factory=list)
    implicit_tls: bool = False
    starttls: bool = False
    """The server accepted STARTTLS (220) and TLS followed."""
    tls: tls.TlsRecords | None = None
    decrypted: bool = False
    """The TLS part was read with a key log."""
    closed_by_server: bool = False
    client_tls_bytes: bytes = b""
    server_tls_bytes: bytes = b""
    client_tls_offset: int = 0
    """Where the TLS part starts in the client's bytes (after the clear STARTTLS dialogue)."""
    server_tls_offset: int = 0

    @property
    def banner(self) -> str | None:
        for line in self.lines:
            if line.dir == "S":
                return line.text if line.text.startswith("220") else None
        return None

    @property
    def dialogue_complete(self) -> bool:
        """Every command the client sent is readable (no TLS, or TLS decrypted)."""
        return not (self.implicit_tls or self.starttls) or self.decrypted

    def commands(self) -> list[Line]:
        return [line for line in self.lines if line.dir == "C"]

    def verb_lines(self, verb: str) -> list[Line]:
        return [line for line in self.commands() if line.text.upper().startswith(verb)]


def is_smtp(stream: TcpStream) -> bool:
    if stream.server[1] in SMTP_PORTS:
        return True
    return stream.to_client.data()[:4] in (b"220 ", b"220-")


def _split_lines(data: bytes) -> list[str]:
    out = []
    for raw in data.split(b"\n"):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        out.append(raw[:MAX_LINE].decode("utf-8", "backslashreplace"))
    if out and out[-1] == "":
        out.pop()
    return out


def _plain_part(data: bytes, until_tls: bool, server: bool = False) -> tuple[bytes, bytes]:
    """Split a direction's bytes at the TLS handshake after STARTTLS (clear part, TLS part)."""
    if not until_tls:
        return data, b""
    starts = tls.is_record if server else tls.is_tls_record
    pos = 0
    while pos < len(data):
        end = data.find(b"\n", pos)
        if end < 0:
            break
        pos = end + 1
        if starts(data[pos:]):
            return data[:pos], data[pos:]
    return data, b""


def interleave(client: list[str], server: list[str], encrypted: bool = False) -> list[Line]:
    """Order the two sides' lines the way SMTP alternates: a reply answers each command.

    The greeting comes first; then each client command (or pipelined group) is
    followed by as many final replies as it has commands (RFC 2920 pipelining
    keeps this order), and a 334 challenge by the client's one answer.
    """
    out: list[Line] = []
    s = 0

    def take_reply() -> None:
        nonlocal s
        while s < len(server):
            text = server[s]
            out.append(Line("S", text, encrypted))
            s += 1
            m = _REPLY.match(text)
            if m is None or m.group(2) == " ":
                return

    if not encrypted:
        take_reply()  # the greeting
    in_data = False
    for text in client:
        out.append(Line("C", text, encrypted))
        if in_data:
            if text == ".":
                in_data = False
                take_reply()
            continue
        take_reply()
        if text.upper() == "DATA" and out[-1].text.startswith("354"):
            in_data = True
    while s < len(server):
        take_reply()
    return out


def build(stream: TcpStream) -> Conversation:
    conv = Conversation(stream.client, stream.server, closed_by_server=stream.closed_by_server)
    up, down = stream.to_server.data(), stream.to_client.data()
    if tls.is_tls_record(up):
        conv.implicit_tls = True
        conv.client_tls_bytes, conv.server_tls_bytes = up, down
    else:
        client_plain, client_tls = _plain_part(up, True)
        server_plain, server_tls = _plain_part(down, bool(client_tls), server=True)
        conv.lines = interleave(_split_lines(client_plain), _split_lines(server_plain))
        if client_tls:
            conv.starttls = True
            conv.client_tls_bytes, conv.server_tls_bytes = client_tls, server_tls
            conv.client_tls_offset = len(client_plain)
            conv.server_tls_offset = len(server_plain)
    if conv.client_tls_bytes:
        records = tls.TlsRecords()
        records.client_hello, records.client_alert = tls.parse_client(conv.client_tls_bytes)
        records.server_hello, records.server_alert = tls.parse_server(conv.server_tls_bytes)
        conv.tls = records
    return conv


def address(text: str) -> str | None:
    """The address of a ``MAIL FROM:<a>`` / ``RCPT TO:<a>`` line, lower-cased."""
    m = _ADDRESS.search(text)
    if m:
        return m.group(1).strip().lower() or None
    parts = text.split(":", 1)
    return parts[1].strip().split(" ")[0].lower() or None if len(parts) == 2 else None


def login_name(conv: Conversation) -> str | None:
    """The user name the client signed in with (AUTH LOGIN or PLAIN), decoded from base64."""
    lines = conv.lines
    for index, line in enumerate(lines):
        if line.dir != "C" or not line.text.upper().startswith("AUTH "):
            continue
        words = line.text.split()
        mech = words[1].upper() if len(words) > 1 else ""
        initial = words[2] if len(words) > 2 else None
        answers = [ln.text for ln in lines[index + 1 :] if ln.dir == "C"][:2]
        if mech == "LOGIN":
            encoded = initial or (answers[0] if answers else None)
            return _b64(encoded)
        if mech == "PLAIN":
            decoded = _b64(initial or (answers[0] if answers else None), raw=True)
            if decoded is not None:
                parts = decoded.split("\0")
                return (parts[1] if len(parts) >= 3 else parts[0]).lower() or None
    return None


def _b64(text: str | None, raw: bool = False) -> str | None:
    if not text:
        return None
    try:
        value = base64.b64decode(text, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None
    return value if raw else value.strip().lower()
