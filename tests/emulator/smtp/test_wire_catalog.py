"""Nothing but the catalog reaches the wire, whatever a client sends; the server never falls over.

Hypothesis drives a live lab with random bytes and random command orders
over plain TCP (port 25, before STARTTLS, where junk arrives in practice).
Every line the server sends must match a catalog entry; after each example
a fresh session must still be greeted.
"""

from __future__ import annotations

import asyncio
import socket

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.server import Lab
from tests.emulator.smtp.wire import MATCHER, RawClient

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


async def test_random_input_never_leaks_or_crashes(lab: Lab) -> None:
    address, port = lab.endpoint("smtp.office365.com", 25)
    seen: set[str] = set()

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(chunks=commands)
    def probe(chunks: list[bytes]) -> None:
        lines = exchange(address, port, chunks)
        assert lines, "the banner at least"
        for line in lines:
            reply_id = MATCHER.which(line)
            assert reply_id is not None, f"not from the catalog: {line!r}"
            seen.add(reply_id)
        assert greeted(address, port).startswith("220 ")

    await asyncio.to_thread(probe)
    assert {"connect.banner", "command.unrecognized"} <= seen


async def test_aiosmtpd_texts_never_leak(lab: Lab) -> None:
    """The situations where aiosmtpd speaks by itself: each answer is the catalog's."""
    address, port = lab.endpoint("smtp.office365.com", 587)

    def talk() -> list[str]:
        c = RawClient(address, port)
        c.reply()
        out = [
            c.cmd("")[0],  # aiosmtpd: 500 Error: bad syntax
            c.cmd("X" * 5000)[0],  # aiosmtpd: 500 Command line too long
            c.cmd("EHLO " + "a" * 3000)[0],
            c.cmd("HELO")[0],  # aiosmtpd: 501 Syntax: HELO hostname
            c.cmd("EHLO mfp")[-1],
            c.cmd("STARTTLS now")[0],  # aiosmtpd: 501 Syntax: STARTTLS
            c.cmd("MAIL FROM:<scanner@contoso.com>")[0],
            c.cmd("VRFY bob")[0],
            c.cmd("HELP")[-1],
        ]
        for _ in range(5):  # aiosmtpd closes after too many bogus commands
            out.append(c.cmd("BOGUS")[0])
        out.append(c.reply()[0] if not c.closed() else "closed")
        c.close()
        return out

    out = await asyncio.to_thread(talk)
    for line in out[:-1]:
        assert MATCHER.which(line), line
        assert "Error:" not in line or line.startswith("530 5.7.57"), line
    assert out[0].startswith("500 5.3.3 Unrecognized command 'unknown'")
    assert out[1].startswith("500 5.3.3 Unrecognized command 'unknown'")
    assert out[3].startswith("501 5.5.4 Invalid arguments")
    assert out[7] == "252 2.1.5 Cannot VRFY user"
    assert out[-2].startswith("421 4.7.0 Too many errors on this connection")
