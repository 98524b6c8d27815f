"""Nothing but the catalog reaches the wire, whatever a client sends; the server never falls over.

Hypothesis drives a live lab with random bytes and random command orders
over plain TCP (port 25, before STARTTLS, where junk arrives in practice).
Every line the server sends must match a catalog entry; after each example
a fresh session must still be greeted.
"""

from __future__ import annotations

import asyncio

from exolab.emulator.server import Lab
from tests.emulator.smtp.wire import MATCHER, RawClient, random_input_replies


async def test_random_input_never_leaks_or_crashes(lab: Lab) -> None:
    address, port = lab.endpoint("smtp.office365.com", 25)
    seen = await asyncio.to_thread(random_input_replies, address, port, 60)
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
