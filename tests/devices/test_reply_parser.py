from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exolab.devices.client.caps import Capabilities
from exolab.devices.client.replies import Reply, ReplyParser
from exolab.devices.errors import RemoteProtocolError


def test_multiline_and_enhanced() -> None:
    p = ReplyParser()
    assert p.feed(b"250-host Hello [1.2.3.4]\r\n250-SIZE 157286400\r") == []
    (r,) = p.feed(b"\n250 SMTPUTF8\r\n")
    assert r.code == 250 and r.lines == ("host Hello [1.2.3.4]", "SIZE 157286400", "SMTPUTF8")
    (r,) = p.feed(b"535 5.7.3 Authentication unsuccessful [X]\n")
    assert (r.enhanced, r.text) == ("5.7.3", "Authentication unsuccessful [X]")
    assert r.wire_lines == ("535 5.7.3 Authentication unsuccessful [X]",)


def test_bare_code_line() -> None:
    (r,) = ReplyParser().feed(b"250\r\n")
    assert r.code == 250 and r.text == ""


@pytest.mark.parametrize(
    "raw", [b"hello\r\n", b"2500 x\r\n", b"250x\r\n", b"\x16\x03\x01\r\n", b"250-a\r\n251 b\r\n"]
)
def test_bad_lines_raise_remote_error(raw: bytes) -> None:
    with pytest.raises(RemoteProtocolError):
        ReplyParser().feed(raw)


def test_flood_without_newline() -> None:
    with pytest.raises(RemoteProtocolError):
        ReplyParser().feed(b"2" * 70000)


@given(st.binary(max_size=300), st.integers(min_value=1, max_value=50))
def test_random_input_never_crashes(data: bytes, chunk: int) -> None:
    p = ReplyParser()
    try:
        for i in range(0, len(data), chunk):
            for r in p.feed(data[i : i + chunk]):
                assert 200 <= r.code <= 599
                assert r.text is not None and r.to_json()["code"] == r.code
    except RemoteProtocolError:
        pass


reply_lines = st.lists(
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40), min_size=1, max_size=6
)


@given(st.integers(min_value=200, max_value=599), reply_lines, st.integers(1, 20), st.booleans())
def test_multiline_roundtrip_any_chunking(
    code: int, lines: list[str], chunk: int, bare_lf: bool
) -> None:
    eol = "\n" if bare_lf else "\r\n"
    wire = "".join(ln + eol for ln in Reply(code, tuple(lines)).wire_lines).encode()
    p = ReplyParser()
    out: list[Reply] = []
    for i in range(0, len(wire), chunk):
        out += p.feed(wire[i : i + chunk])
    assert out == [Reply(code, tuple(lines))]


def test_capabilities() -> None:
    r = Reply(250, ("host", "SIZE 157286400", "AUTH LOGIN XOAUTH2", "AUTH=PLAIN", "starttls"))
    caps = Capabilities.from_ehlo(r)
    assert caps.auth == ("LOGIN", "XOAUTH2", "PLAIN")
    assert caps.size == 157286400 and caps.has("STARTTLS") and not caps.has("PIPELINING")
