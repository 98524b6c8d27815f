"""The chunked DATA reader: any body, any chunking, dot-stuffed on the wire, comes back exact."""

from __future__ import annotations

import asyncio
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from exolab.emulator.smtp.data import Body, parse_bdat, read_dot_body

lines = st.lists(
    st.one_of(
        st.sampled_from([b"", b".", b"..", b".x", b"a\nb", b"\n.", b"x" * 2000]),
        st.binary(max_size=120).map(lambda b: b.replace(b"\r\n", b"")),
    ),
    max_size=30,
)


def stuffed(body_lines: list[bytes]) -> tuple[bytes, bytes]:
    """(the message as the client means it, the bytes on the wire including the terminator)."""
    message = b"".join(line + b"\r\n" for line in body_lines)
    wire = b"".join(
        (b"." + line if line.startswith(b".") else line) + b"\r\n" for line in body_lines
    )
    return message, wire + b".\r\n"


async def feed_and_read(
    wire: bytes, cuts: list[int], limit: int = 10_000_000
) -> tuple[Body | None, bytes]:
    reader = asyncio.StreamReader(limit=65536)
    points = sorted({c % (len(wire) + 1) for c in cuts} | {0, len(wire)})
    for a, b in itertools.pairwise(points):
        reader.feed_data(wire[a:b])
    reader.feed_data(b"QUIT\r\n")
    reader.feed_eof()
    body = await read_dot_body(reader, limit)
    rest = await reader.read()
    return body, rest


@settings(max_examples=300, deadline=None)
@given(body_lines=lines, cuts=st.lists(st.integers(0, 100_000), max_size=8))
def test_round_trip_under_any_chunking(body_lines: list[bytes], cuts: list[int]) -> None:
    message, wire = stuffed(body_lines)
    body, rest = asyncio.run(feed_and_read(wire, cuts))
    assert body is not None
    assert body.data == message
    assert body.size == len(wire) - 3
    assert rest == b"QUIT\r\n", "pipelined bytes after the terminator go back to the reader"


def test_too_big_is_counted_not_kept() -> None:
    _message, wire = stuffed([b"y" * 998] * 2000)
    body, rest = asyncio.run(feed_and_read(wire, [], limit=100_000))
    assert body is not None and not body.kept and body.data == b""
    assert body.size == len(wire) - 3
    assert rest == b"QUIT\r\n"


def test_eof_before_the_end_is_none() -> None:
    async def go() -> object:
        reader = asyncio.StreamReader()
        reader.feed_data(b"Subject: x\r\n\r\npartial")
        reader.feed_eof()
        return await read_dot_body(reader, 1000)

    assert asyncio.run(go()) is None


def test_parse_bdat() -> None:
    assert parse_bdat("100") == (100, False)
    assert parse_bdat("0 LAST") == (0, True)
    assert parse_bdat("100 last") == (100, True)
    for bad in (None, "", "x", "-1", "1 2", "1 LAST more"):
        assert parse_bdat(bad) is None
