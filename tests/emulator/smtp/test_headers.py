"""The header scan finds From and Message-ID the way the email package would."""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses

from hypothesis import given, settings
from hypothesis import strategies as st

from exolab.emulator.smtp.headers import head_of

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
    body = head + b"\r\nbody\r\n"
    froms, mid = head_of(body)
    message = BytesHeaderParser(policy=compat32).parsebytes(head + b"\r\n")
    want = tuple(
        a.lower() for _, a in getaddresses([str(v) for v in message.get_all("From", [])]) if a
    )
    assert froms == want
    raw_mid = message.get("Message-ID")
    assert mid == (
        (str(raw_mid).strip().strip("<>").strip() or None) if raw_mid is not None else None
    )
