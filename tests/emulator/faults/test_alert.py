"""The TLS alert record a tls_alert fault sends (pure)."""

from __future__ import annotations

from exolab.emulator.faults import alert_record, hello_length


def test_alert_record_is_fatal_and_in_the_hellos_version() -> None:
    assert alert_record("handshake_failure") == bytes([0x15, 3, 3, 0, 2, 2, 40])
    tls10_hello = bytes([1, 0, 0, 200, 3, 1]) + b"\x00" * 32
    assert alert_record("internal_error", tls10_hello) == bytes([0x15, 3, 1, 0, 2, 2, 80])
    assert alert_record("protocol_version", b"junk")[1:3] == b"\x03\x03"


def test_only_a_sane_handshake_header_is_read_on() -> None:
    assert hello_length(bytes([0x16, 3, 1, 0x02, 0x00])) == 512
    assert hello_length(b"EHLO ") is None  # plain text after the 220: not a ClientHello
    assert hello_length(bytes([0x16, 3, 1, 0xFF, 0xFF])) is None  # longer than any record
    assert hello_length(bytes([0x16, 3, 1])) is None
