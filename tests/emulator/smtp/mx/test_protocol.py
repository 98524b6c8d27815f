"""The MX's protocol corners over real sockets: BDAT, pipelining, junk input, AUTH, ordering."""

from __future__ import annotations

import asyncio

from exolab.emulator.server import Lab
from tests.emulator.smtp.mx.conftest import MX
from tests.emulator.smtp.wire import MATCHER, RawClient, random_input_replies


def _bdat_session(address: str, port: int) -> list[str]:
    client = RawClient(address, port, source="127.20.0.10")
    try:
        client.reply()
        client.cmd("EHLO mfp")
        client.cmd("MAIL FROM:<scanner@contoso.com>")
        client.cmd("RCPT TO:<bob@contoso.com>")
        part1 = b"From: scanner@contoso.com\r\nSubject: bdat\r\n\r\n"
        part2 = b"page one\r\n"
        client.send(b"BDAT %d\r\n" % len(part1) + part1)
        first = client.reply()
        client.send(b"BDAT %d LAST\r\n" % len(part2) + part2)
        last = client.reply()
        return first + last
    finally:
        client.close()


async def test_bdat_chunks_are_delivered(lab: Lab) -> None:
    address, port = lab.endpoint(MX, 25)
    first, last = await asyncio.to_thread(_bdat_session, address, port)
    assert first.startswith("250 ") and MATCHER.which(first) == "bdat.ok"
    assert last.startswith("250 2.6.0 <") and last.endswith("Queued mail for delivery")
    (message,) = lab.store.messages()
    assert message.body.endswith(b"page one\r\n") and message.folder == "Inbox"


def _ordering(address: str, port: int) -> dict[str, list[str]]:
    client = RawClient(address, port, source="127.20.0.10")
    try:
        client.reply()
        out = {"starttls_first": client.cmd("STARTTLS"), "auth_first": client.cmd("AUTH LOGIN")}
        client.cmd("EHLO mfp")
        out["rcpt_first"] = client.cmd("RCPT TO:<alice@contoso.com>")
        out["auth_plain"] = client.cmd("AUTH PLAIN AGZvbwBiYXI=")
        # pipelined: MAIL, two RCPTs (one refused), DATA in one write
        client.send(
            b"MAIL FROM:<scanner@contoso.com>\r\nRCPT TO:<partner@fabrikam.com>\r\n"
            b"RCPT TO:<alice@contoso.com>\r\nDATA\r\n"
        )
        out["pipelined"] = [client.reply()[0] for _ in range(4)]
        client.send(b"From: scanner@contoso.com\r\nSubject: p\r\n\r\nx\r\n.\r\n")
        out["eod"] = client.reply()
        return out
    finally:
        client.close()


async def test_ordering_auth_and_pipelining(lab: Lab) -> None:
    address, port = lab.endpoint(MX, 25)
    out = await asyncio.to_thread(_ordering, address, port)
    assert out["starttls_first"][0].startswith("503 5.5.2 Send hello first")
    assert out["auth_first"][0].startswith("503 5.5.2 Send hello first")
    assert out["rcpt_first"][0].startswith("503 5.5.2")
    assert out["auth_plain"][0].startswith("504 5.7.4 Unrecognized authentication type")
    mail, relay, alice, data = out["pipelined"]
    assert mail.startswith("250 2.1.0") and relay.startswith("550 5.7.64")
    assert alice.startswith("250 2.1.5") and data.startswith("354 ")
    assert out["eod"][0].startswith("250 2.6.0")
    for lines in out.values():
        assert all(MATCHER.which(line) for line in lines), lines
    assert [m.mailbox for m in lab.store.messages()] == ["alice@contoso.com"]


async def test_random_input_never_leaks_or_crashes(lab: Lab) -> None:
    address, port = lab.endpoint(MX, 25)
    seen = await asyncio.to_thread(random_input_replies, address, port, 30)
    assert "connect.banner" in seen
