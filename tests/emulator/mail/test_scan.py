"""The From scan's shortcut for plain addresses reads exactly what ``getaddresses`` reads."""

from __future__ import annotations

from email.utils import getaddresses

from hypothesis import given, settings
from hypothesis import strategies as st

from exolab.emulator.mail.scan import scan

# the characters where the shortcut's pattern and the email package could part ways
pieces = st.sampled_from(
    [
        *("a", "Z", "0", " ", ".", "_", "-", "+", "@", "<", ">", '"', ",", ";", ":", "(", ")"),
        *("\\", "[", "]", "'", "=", "é", "\t", "scanner", "contoso", ".com", "Scan Desk"),
    ]
)


def oracle(value: str) -> tuple[str, ...]:
    return tuple(a.strip().lower() for _, a in getaddresses([value]) if a.strip())


@settings(max_examples=3000, deadline=None)
@given(value=st.lists(pieces, max_size=14).map("".join))
def test_any_from_value_reads_as_getaddresses_reads_it(value: str) -> None:
    raw = f"From: {value}\r\n\r\nbody\r\n".encode()
    assert scan(raw).header_from == oracle(value.strip())


def test_the_plain_forms_devices_send() -> None:
    for value in (
        "scanner@contoso.com",
        "<Scanner@Contoso.com>",
        "Scan Desk 2 <scan.desk+mfp@mail.contoso.com>",
        '"Scan Desk" <scan-desk@contoso.com>',
        '"" <a_b@c-d.example>',
    ):
        raw = f"From: {value}\r\n\r\n".encode()
        assert scan(raw).header_from == oracle(value)
        assert scan(raw).from_compliant
