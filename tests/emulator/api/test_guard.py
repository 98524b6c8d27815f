"""The API's checks as plain functions of header values (the HTTP tests prove them wired in)."""

from __future__ import annotations

import pytest

from exolab.emulator.api.guard import (
    ApiAccess,
    bearer,
    check_host,
    check_origin,
    host_name,
    redact,
)
from exolab.emulator.api.inputs import BadInput, parse_id, parse_json

LOOPBACK = ApiAccess(token="t0k3n", address="127.10.0.5")
EVERYWHERE = ApiAccess(token="t0k3n", address="0.0.0.0")


@pytest.mark.parametrize(
    ("header", "name"),
    [("127.10.0.5:8080", "127.10.0.5"), ("[::1]:80", "::1"), ("LocalHost", "localhost"), ("", "")],
)
def test_host_name(header: str, name: str) -> None:
    assert host_name(header) == name


@pytest.mark.parametrize(
    ("access", "header", "allowed"),
    [
        (LOOPBACK, "127.10.0.5:10080", True),
        (LOOPBACK, "localhost:10080", True),
        (LOOPBACK, "127.0.0.1:10080", False),
        (LOOPBACK, "evil.example:10080", False),
        (LOOPBACK, None, False),
        (EVERYWHERE, "192.168.1.20:80", True),
        (EVERYWHERE, "[fe80::1]:80", True),
        (EVERYWHERE, "lab.evil.example", False),
    ],
)
def test_only_the_apis_own_address_or_localhost(
    access: ApiAccess, header: str | None, allowed: bool
) -> None:
    assert (check_host(access, header) is None) is allowed


@pytest.mark.parametrize(
    ("origin", "fetch_site", "allowed"),
    [
        (None, None, True),
        ("http://127.10.0.5:10080", "same-origin", True),
        ("http://127.10.0.5:10080/", None, True),
        ("https://127.10.0.5:10080", None, False),
        ("http://127.10.0.5:10081", None, False),
        ("null", None, False),
        (None, "cross-site", False),
        (None, "same-site", False),
    ],
)
def test_a_write_from_another_origin_is_refused(
    origin: str | None, fetch_site: str | None, allowed: bool
) -> None:
    assert (check_origin("127.10.0.5:10080", origin, fetch_site) is None) is allowed


def test_bearer_and_redaction() -> None:
    assert bearer("Bearer abc") == "abc" and bearer("bearer  abc ") == "abc"
    assert bearer("Basic abc") is None and bearer("Bearer ") is None and bearer(None) is None
    document = {
        "Mailbox": [{"Password": "p", "WrongPasswordReply": "5.7.3"}, {"Password": None}],
        "App": [{"ClientSecret": "s", "DisplayName": "x"}],
        "api_token": "t",
        "Dns": {"TXT": {"token": ["v=spf1 -all"]}},
    }
    assert redact(document) == {
        "Mailbox": [{"Password": "(redacted)", "WrongPasswordReply": "5.7.3"}, {"Password": None}],
        "App": [{"ClientSecret": "(redacted)", "DisplayName": "x"}],
        "api_token": "(redacted)",
        "Dns": {"TXT": {"token": ["v=spf1 -all"]}},
    }


@pytest.mark.parametrize("text", ["9223372036854775808", "9" * 5000, "١٢", "-1", ""])
def test_ids_the_store_cannot_hold(text: str) -> None:
    with pytest.raises(BadInput):
        parse_id(text)


def test_the_nesting_count_ignores_brackets_inside_strings() -> None:
    assert parse_json(b'{"set": ["[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"]"]}') == {
        "set": ['[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["]']
    }
    with pytest.raises(BadInput, match="nests deeper"):
        parse_json(b"[" * 33 + b"]" * 33)
