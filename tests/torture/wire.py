"""Talking to a served lab: sessions on both front ends, and judging every reply line.

Sessions are built on the suite's RawClient; every line read is judged
against the reply catalog (the suite's MATCHER) and must be one line of
printable characters: a bare CR or NUL inside a reply is how reply
splitting starts, and the catalog's wildcards would otherwise let it pass.
"""

from __future__ import annotations

import base64
import ssl
import time
from collections.abc import Iterable

from tests.emulator.smtp.wire import MATCHER, RawClient
from tests.torture.figures import Figures
from tests.torture.served import ServedLab

SUBMISSION = "smtp.office365.com"
MX = "contoso-com.mail.protection.outlook.com"
OFFICE = "127.20.0.10"  # the office site: SPF-aligned direct send from contoso.com
BRANCH = "127.20.0.20"
USER = "scanner@contoso.com"
PASSWORD = "Scan-2-Mail!"
INBOX = "bob@contoso.com"
MX_RCPT = "alice@contoso.com"


class Refused(Exception):
    """The lab refused a step a normal client needs (the reply is the message)."""


def foreign(line: str) -> str | None:
    """Why ``line`` is not a catalog reply, or None when it is one."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in line):
        return "control character inside a reply line"
    if MATCHER.which(line) is None:
        return "not from the catalog"
    return None


def judge(figures: Figures, lines: Iterable[str], where: str) -> int:
    """Count the foreign lines among ``lines``; the first few are kept as examples."""
    bad = 0
    for line in lines:
        reason = foreign(line)
        if reason is not None:
            bad += 1
            figures.example(f"{where}: {reason}: {line!r}")
    figures.foreign += bad
    return bad


def undecodable(figures: Figures, where: str, exc: UnicodeDecodeError) -> None:
    """A reply that is not UTF-8 cannot be a catalog line."""
    figures.foreign += 1
    figures.example(f"{where}: reply is not UTF-8: {exc.object[:120]!r}")


def expect(client: RawClient, text: str, code: str) -> list[str]:
    reply = client.cmd(text)
    if not reply[-1].startswith(code):
        raise Refused(f"{text.split()[0]}: {reply[-1]}")
    return reply


def mx_session(lab: ServedLab, source: str = OFFICE, timeout: float = 10) -> RawClient:
    """Greeted and EHLO'd on the MX, plain TCP."""
    address, port = lab.endpoint(MX, 25)
    client = RawClient(address, port, source=source, timeout=timeout)
    try:
        banner = client.reply()
        if not banner[0].startswith("220"):
            raise Refused(f"banner: {banner[0]}")
        expect(client, "EHLO mfp-01.contoso.local", "250")
    except BaseException:
        client.close()
        raise
    return client


def submission_session(
    lab: ServedLab,
    context: ssl.SSLContext,
    source: str = OFFICE,
    timeout: float = 10,
    host: str = SUBMISSION,
    port: int = 587,
) -> RawClient:
    """Greeted, STARTTLS, AUTH LOGIN as the scanner: ready for MAIL FROM."""
    address, bound = lab.endpoint(host, port)
    client = RawClient(address, bound, source=source, timeout=timeout)
    try:
        banner = client.reply()
        if not banner[0].startswith("220"):
            raise Refused(f"banner: {banner[0]}")
        expect(client, "EHLO mfp", "250")
        if not client.starttls(context, host)[0].startswith("220"):
            raise Refused("STARTTLS refused")
        expect(client, "EHLO mfp", "250")
        expect(client, "AUTH LOGIN", "334")
        expect(client, base64.b64encode(USER.encode()).decode(), "334")
        expect(client, base64.b64encode(PASSWORD.encode()).decode(), "235")
    except BaseException:
        client.close()
        raise
    return client


def drain(client: RawClient, seconds: float) -> list[bytes]:
    """Every raw reply line until the server closes or ``seconds`` pass (bounded in time)."""
    data = client.buffer
    client.buffer = b""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        client.sock.settimeout(left)
        try:
            part = client.sock.recv(65536)
        except OSError:  # timeout, reset, TLS alert: the talk is over
            break
        if not part:
            break
        data += part
    return [line for line in data.split(b"\r\n") if line]


def decoded(figures: Figures, raw: list[bytes], where: str) -> list[str]:
    """Raw reply lines as text; a line that is not UTF-8 counts as foreign and is dropped."""
    out = []
    for line in raw:
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            undecodable(figures, where, exc)
    return out


def message(token: str, sender: str, rcpt: str, filler: int = 0) -> bytes:
    """A small message whose body carries ``token`` (no line starts with a dot)."""
    lines = [
        f"From: Scanner <{sender}>",
        f"To: <{rcpt}>",
        f"Subject: torture {token}",
        f"Message-ID: <{token}@torture.contoso.com>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        f"token {token}",
    ]
    lines += [f"filler {token} {n:05d} " + "x" * 60 for n in range(filler)]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")
