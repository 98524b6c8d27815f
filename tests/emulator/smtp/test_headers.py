"""The one header scan (both front ends) finds From and Message-ID as the email package would,
and what it returns for the Message-ID can be echoed on one line."""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses

from hypothesis import given, settings
from hypothesis import strategies as st

from exolab.emulator.mail.scan import HeadFields, scan

names = st.sampled_from(
    ["From", "FROM", "from", "Message-ID", "Message-Id", "Subject", "To", "X-Scan"]
)
values = st.sampled_from(
    [
        "scanner@contoso.com",
        "Scanner <scanner@contoso.com>",
        '"Front, Desk" <frontdesk@contoso.com>',
        "<id-1@mfp>",
        "a@b.c, d@e.f",
        "",
        "plain text",
    ]
)


@settings(max_examples=200, deadline=None)
@given(fields=st.lists(st.tuples(names, values), max_size=6), folded=st.booleans())
def test_scan_agrees_with_the_email_package(fields: list[tuple[str, str]], folded: bool) -> None:
    sep = "\r\n\t" if folded else " "
    head = "".join(f"{n}:{sep}{v}\r\n" for n, v in fields).encode()
    found = scan(head + b"\r\nbody\r\n")
    message = BytesHeaderParser(policy=compat32).parsebytes(head + b"\r\n")
    want = tuple(
        a.lower() for _, a in getaddresses([str(v) for v in message.get_all("From", [])]) if a
    )
    assert found.header_from == want
    raw_mid = message.get("Message-ID")
    assert found.message_id == (
        (str(raw_mid).strip().strip("<>").strip() or None) if raw_mid is not None else None
    )


def test_folded_fields_and_the_body_are_told_apart() -> None:
    raw = (
        b'Subject: x\r\nFrom: "Scanner, 2F"\r\n <Scanner@Contoso.com>\r\n'
        b"message-id:   <abc@mfd>  \r\nTo: a@b.c\r\n\r\nFrom: evil@x.com\r\n"
    )
    head_size = raw.index(b"\r\n\r\n") + 4
    assert scan(raw) == HeadFields(("scanner@contoso.com",), "abc@mfd", True, head_size)
    assert scan(raw).from_domain == "contoso.com"
    assert scan(b"no header at all") == HeadFields(from_compliant=False, header_size=16)
    assert scan(b"From: undisclosed\n\nbody").from_domain is None
    assert scan(b"Subject: no from\r\n\r\nFrom: a@b.c\r\n").header_from == ()


def test_a_hostile_message_id_comes_out_as_one_line() -> None:
    assert scan(b"Message-ID: <a@b\r\n c>\r\n\r\n").message_id == "a@b c"
    assert scan(b"Message-ID: <a\rb@c>\r\n\r\n").message_id == "a b@c"
    assert scan(b"Message-ID: <a\x00\x1b[2J@c>\r\n\r\n").message_id == "a [2J@c"
    assert scan(b"Message-ID: <\r>\r\n\r\n").message_id is None
    assert len(scan(b"Message-ID: <" + b"x" * 5000 + b">\r\n\r\n").message_id or "") == 255


@given(st.binary(max_size=2000))
def test_junk_never_raises_and_the_id_is_printable(raw: bytes) -> None:
    found = scan(raw)
    assert isinstance(found.header_from, tuple)
    assert found.message_id is None or found.message_id.isprintable()
