"""Delivery planning and the header From (pure)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from exolab.emulator.mail.inbound import from_domain, header_from, placements
from exolab.emulator.policy.spam import SpamVerdict
from exolab.emulator.tenant import load_default_tenant

JUNK = SpamVerdict(6, "Junk Email", "SPM", "SPOOF", "test")
HEADERS = (("X-MS-Exchange-Organization-SCL", "6"),)


def test_header_from() -> None:
    raw = b'From: "Scanner, Floor 2" <Scanner@Contoso.com>\r\nTo: a@b.c\r\n\r\nFrom: x@evil.com\r\n'
    assert header_from(raw) == ("scanner@contoso.com",)
    assert from_domain(raw) == "contoso.com"
    assert from_domain(b"Subject: no from\r\n\r\nbody") is None
    assert from_domain(b"From: undisclosed\n\nbody") is None


@given(st.binary(max_size=2000))
def test_junk_never_raises(raw: bytes) -> None:
    header_from(raw)
    from_domain(raw)


def test_placements_group_by_mailbox_and_send_the_rest_out() -> None:
    tenant = load_default_tenant()
    copies = placements(
        tenant,
        [
            ("alice@contoso.com", "internal"),
            ("ALICE@contoso.com", "internal"),
            ("bob@contoso.com", "internal"),
            ("partner@fabrikam.com", "relay"),
            ("ghost@contoso.com", "nowhere"),
        ],
        JUNK,
        HEADERS,
    )
    summary = [(p.mailbox, p.folder, p.recipients, p.scl) for p in copies]
    assert summary == [
        ("alice@contoso.com", "Junk Email", ("alice@contoso.com", "ALICE@contoso.com"), 6),
        ("bob@contoso.com", "Junk Email", ("bob@contoso.com",), 6),
        ("partner@fabrikam.com", "Outbound", ("partner@fabrikam.com",), 6),
    ]
    assert all(p.prepend_headers == HEADERS for p in copies)


def test_sender_fields_scan() -> None:
    from exolab.emulator.mail.inbound import sender_fields

    raw = (
        b'Subject: x\r\nFrom: "Scanner, 2F"\r\n <Scanner@Contoso.com>\r\n'
        b"message-id:   <abc@mfd>  \r\nTo: a@b.c\r\n\r\nFrom: evil@x.com\r\n"
    )
    assert sender_fields(raw) == (("scanner@contoso.com",), "abc@mfd")
    assert sender_fields(b"no header at all") == ((), None)


@given(st.binary(max_size=2000))
def test_sender_fields_agree_with_the_email_package(raw: bytes) -> None:
    from exolab.emulator.mail.inbound import sender_fields

    froms, _mid = sender_fields(raw)
    assert isinstance(froms, tuple)
    if b"\r" not in raw and b"\x00" not in raw and raw.isascii():
        assert froms == header_from(raw) or not froms or not header_from(raw)
