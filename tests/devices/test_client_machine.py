from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exolab.devices.client.body import data_payload
from exolab.devices.client.config import ClientConfig
from exolab.devices.client.events import Send
from exolab.devices.client.machine import SmtpClient
from exolab.devices.errors import LocalProtocolError
from exolab.devices.quirks import build_chain
from tests.devices.devices_playbook import play

MSG = b"Subject: hi\r\n\r\nbody\r\n"
USER = base64.b64encode(b"scanner@contoso.com").decode()
PASS = base64.b64encode(b"pw").decode()

EXO_EHLO_PRE = """
S: 250-AM0PR02CA0134.outlook.office365.com Hello [203.0.113.39]
S: 250-SIZE 157286400
S: 250-PIPELINING
S: 250-ENHANCEDSTATUSCODES
S: 250-STARTTLS
S: 250 SMTPUTF8
"""
EXO_EHLO_POST = """
S: 250-AM0PR02CA0134.outlook.office365.com Hello [203.0.113.39]
S: 250-SIZE 157286400
S: 250-PIPELINING
S: 250-AUTH LOGIN XOAUTH2
S: 250 SMTPUTF8
"""


def cfg(**kw: object) -> ClientConfig:
    base: dict[str, object] = {
        "security": "starttls",
        "mechanisms": ("LOGIN",),
        "username": "scanner@contoso.com",
        "password": "pw",
        "envelope_from": "scanner@contoso.com",
        "recipients": ("alice@contoso.com",),
        "message": MSG,
    }
    base.update(kw)
    return ClientConfig(**base)  # type: ignore[arg-type]


def test_starttls_login_delivered() -> None:
    client = play(
        f"""
        S: 220 AM0PR02CA0134.outlook.office365.com Microsoft ESMTP MAIL Service ready
        C: EHLO MFP-SIM
        {EXO_EHLO_PRE}
        C: STARTTLS
        S: 220 2.0.0 SMTP server ready
        > starttls
        * tls
        C: EHLO MFP-SIM
        {EXO_EHLO_POST}
        C: AUTH LOGIN
        S: 334 VXNlcm5hbWU6
        C: {USER}
        S: 334 UGFzc3dvcmQ6
        C: {PASS}
        S: 235 2.7.0 Authentication successful
        C: MAIL FROM:<scanner@contoso.com>
        S: 250 2.1.0 Sender OK
        C: RCPT TO:<alice@contoso.com>
        S: 250 2.1.5 Recipient OK
        C: DATA
        S: 354 Start mail input; end with <CRLF>.<CRLF>
        C: <message: 24 bytes>
        C: .
        S: 250 2.0.0 OK <id@x> [Hostname=X]
        C: QUIT
        S: 221 2.0.0 Service closing transmission channel
        > close
        = delivered EOD 250
        """,
        cfg(),
    )
    assert client.authenticated and client.tls_active
    assert client.result is not None and client.result.reply is not None
    assert client.result.reply.enhanced == "2.0.0"


def test_pipelining_sends_one_group() -> None:
    client = SmtpClient(
        cfg(security="none", mechanisms=(), pipelining=True, recipients=("a@x", "b@x"))
    )
    client.receive_data(b"220 hi\r\n")
    events = client.receive_data(b"250-x\r\n250 PIPELINING\r\n")
    sends = [e for e in events if isinstance(e, Send)]
    assert len(sends) == 1
    assert (
        sends[0].data
        == b"MAIL FROM:<scanner@contoso.com>\r\nRCPT TO:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n"
    )


def test_pipelined_rcpt_refused_and_data_354_closes() -> None:
    play(
        """
        S: 220 hi
        C: EHLO MFP-SIM
        S: 250-x
        S: 250 PIPELINING
        C: MAIL FROM:<scanner@contoso.com>
        C: RCPT TO:<alice@contoso.com>
        C: DATA
        S: 250 ok
        S: 550 5.7.64 TenantAttribution; Relay Access Denied
        S: 354 go ahead
        > close
        = rejected RCPT 550
        """,
        cfg(security="none", mechanisms=(), pipelining=True),
    )


def test_pipelined_group_accepted_is_delivered() -> None:
    play(
        """
        S: 220 hi
        C: EHLO MFP-SIM
        S: 250-x
        S: 250 PIPELINING
        C: MAIL FROM:<scanner@contoso.com>
        C: RCPT TO:<alice@contoso.com>
        C: DATA
        S: 250 2.1.0 Sender OK
        S: 250 2.1.5 Recipient OK
        S: 354 Start mail input; end with <CRLF>.<CRLF>
        C: <message: 24 bytes>
        C: .
        S: 250 2.6.0 <id@x> Queued mail for delivery
        C: QUIT
        S: 221 2.0.0 Service closing transmission channel
        > close
        = delivered EOD 250
        """,
        cfg(security="none", mechanisms=(), pipelining=True),
    )


def test_strict_login_quits_on_aiosmtpd_prompt() -> None:
    play(
        """
        S: 220 hi
        C: EHLO XC-B8C463
        S: 250-x
        S: 250 AUTH LOGIN PLAIN
        C: AUTH LOGIN
        S: 334 VXNlciBOYW1lAA==
        C: QUIT
        S: 221 bye
        > close
        = gave_up AUTH 334
        """,
        cfg(security="none", greeting_name="XC-B8C463"),
        build_chain([("strict-login-prompt", {})]),
    )


def test_lenient_login_answers_aiosmtpd_prompt() -> None:
    play(
        f"""
        S: 220 hi
        C: EHLO MFP-SIM
        S: 250-host
        S: 250 AUTH LOGIN
        C: AUTH LOGIN
        S: 334 VXNlciBOYW1lAA==
        C: {USER}
        S: 334 UGFzc3dvcmQA
        C: {PASS}
        S: 535 5.7.3 Authentication unsuccessful
        C: QUIT
        S: 221 bye
        > close
        = rejected AUTH 535
        """,
        cfg(security="none"),
    )


def test_auth_before_starttls_gets_504() -> None:
    play(
        f"""
        S: 220 hi
        C: EHLO MFP-SIM
        {EXO_EHLO_PRE}
        C: AUTH LOGIN
        S: 504 5.7.4 Unrecognized authentication type
        C: QUIT
        S: 221 bye
        > close
        = rejected AUTH 504
        """,
        cfg(auth_choice="first"),
        build_chain([("auth-before-starttls", {})]),
    )


def test_plain_first_sends_initial_response() -> None:
    resp = base64.b64encode(b"\0scanner@contoso.com\0pw").decode()
    play(
        f"""
        S: 220 hi
        C: EHLO MFP-SIM
        S: 250-host
        S: 250 AUTH LOGIN XOAUTH2
        C: AUTH PLAIN {resp}
        S: 504 5.7.4 Unrecognized authentication type
        C: QUIT
        S: 221 bye
        > close
        = rejected AUTH 504
        """,
        cfg(security="none", mechanisms=("PLAIN",), auth_choice="first"),
    )


def test_xoauth2_sasl_string() -> None:
    client = SmtpClient(cfg(security="none", mechanisms=("XOAUTH2", "LOGIN"), token="tok"))
    client.receive_data(b"220 hi\r\n")
    events = client.receive_data(b"250-host\r\n250 AUTH LOGIN XOAUTH2\r\n")
    auth = events[-1]
    assert isinstance(auth, Send)
    line = auth.lines[0]
    verb, mech, payload = line.split(" ")
    assert (verb, mech) == ("AUTH", "XOAUTH2")
    assert base64.b64decode(payload) == b"user=scanner@contoso.com\x01auth=Bearer tok\x01\x01"


XO = base64.b64encode(b"user=scanner@contoso.com\x01auth=Bearer t\x01\x01").decode()


def test_xoauth2_error_challenge_answered_empty() -> None:
    play(
        f"""
        S: 220 hi
        C: EHLO MFP-SIM
        S: 250-host
        S: 250 AUTH XOAUTH2
        C: AUTH XOAUTH2 {XO}
        S: 334 eyJzdGF0dXMiOiI0MDEifQ==
        C:
        S: 535 5.7.3 Authentication unsuccessful
        C: QUIT
        S: 221 bye
        > close
        = rejected AUTH 535
        """,
        cfg(security="none", mechanisms=("XOAUTH2",), token="t"),
    )


def test_helo_never_auths_or_starttls() -> None:
    play(
        """
        S: 220 hi
        C: HELO MFP-SIM
        S: 250 hello
        C: MAIL FROM:<scanner@contoso.com>
        S: 530 5.7.57 Client was not authenticated to send anonymous mail during MAIL FROM
        C: QUIT
        S: 221 bye
        > close
        = rejected MAIL 530
        """,
        cfg(security="none", greeting_verb="HELO"),
    )


def test_starttls_required_but_not_offered_gives_up() -> None:
    play(
        """
        S: 220 hi
        C: EHLO MFP-SIM
        S: 250-host
        S: 250 SIZE 100
        C: QUIT
        S: 221 bye
        > close
        = gave_up STARTTLS
        """,
        cfg(),
    )


def test_opportunistic_without_starttls_goes_plaintext() -> None:
    play(
        """
        S: 220 hi
        C: EHLO 127.20.0.10
        S: 250-host
        S: 250 SIZE 100
        C: MAIL FROM:<scanner@contoso.com>
        S: 250 ok
        C: RCPT TO:<alice@contoso.com>
        S: 250 ok
        C: DATA
        S: 354 go
        C: <message: 24 bytes>
        C: .
        S: 250 queued
        C: QUIT
        * eof
        > close
        = delivered EOD 250
        """,
        cfg(security="opportunistic_starttls", mechanisms=(), greeting_name="127.20.0.10"),
    )


def test_421_closes_without_quit() -> None:
    play(
        """
        S: 220 hi
        C: EHLO MFP-SIM
        S: 250-host
        S: 250 AUTH LOGIN
        C: AUTH LOGIN
        S: 421 4.7.66 TLS 1.0 and 1.1 are not supported.
        > close
        = rejected AUTH 421
        """,
        cfg(security="none"),
    )


def test_eof_midway_gives_up() -> None:
    play(
        """
        S: 220 hi
        C: EHLO MFP-SIM
        * eof
        > close
        = gave_up EHLO
        """,
        cfg(security="none"),
    )


def test_banner_rejection() -> None:
    play(
        """
        S: 554 5.7.1 go away
        C: QUIT
        S: 221 bye
        > close
        = rejected CONNECT 554
        """,
        cfg(),
    )


def test_size_declared_when_asked_and_advertised() -> None:
    client = SmtpClient(cfg(security="none", mechanisms=(), size_declaration=True))
    client.receive_data(b"220 hi\r\n")
    events = client.receive_data(b"250-host\r\n250 SIZE 1000\r\n")
    mail = events[-1]
    assert isinstance(mail, Send)
    assert mail.lines == (f"MAIL FROM:<scanner@contoso.com> SIZE={len(MSG)}",)


def test_bare_lf_commands() -> None:
    client = SmtpClient(cfg(security="none", mechanisms=(), line_ending="bare-lf"))
    events = client.receive_data(b"220 hi\r\n")
    ehlo = events[-1]
    assert isinstance(ehlo, Send) and ehlo.data == b"EHLO MFP-SIM\n"


def test_tls_started_at_wrong_time_is_local_error() -> None:
    client = SmtpClient(cfg())
    with pytest.raises(LocalProtocolError):
        client.tls_started()


def test_data_payload_dot_stuffing_and_terminator() -> None:
    msg = b"A: b\r\n\r\n.line\r\nx\r\n..two"
    assert data_payload(msg, b"\r\n") == b"A: b\r\n\r\n..line\r\nx\r\n...two\r\n.\r\n"
    assert data_payload(msg, b"\n") == b"A: b\n\n..line\nx\n...two\n.\n"


def _stuffed_line_by_line(message: bytes, eol: bytes) -> bytes:
    """RFC 5321 4.5.2 spelled out: each line ends in ``eol``, one starting with "." gets one
    more, then the terminator (a CR not before LF stays in its line)."""
    lines = message.replace(b"\r\n", b"\n").split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return b"".join((b"." if line.startswith(b".") else b"") + line + eol for line in lines) + (
        b"." + eol
    )


@given(
    st.lists(st.sampled_from([b"\r\n", b"\n", b"\r", b".", b"..", b"a", b" ", b"\xff"])).map(
        b"".join
    ),
    st.sampled_from([b"\r\n", b"\n"]),
)
def test_data_payload_is_the_message_stuffed_line_by_line(message: bytes, eol: bytes) -> None:
    assert data_payload(message, eol) == _stuffed_line_by_line(message, eol)


def test_opportunistic_device_refused_starttls_carries_on_in_plaintext() -> None:
    """A 5xx to STARTTLS: the opportunistic device authenticates and sends without TLS."""
    play(
        f"""
        S: 220 hi
        C: EHLO MFP-SIM
        S: 250-host
        S: 250-STARTTLS
        S: 250 AUTH LOGIN
        C: STARTTLS
        S: 502 5.5.1 not now
        C: AUTH LOGIN
        S: 334 VXNlcm5hbWU6
        C: {USER}
        S: 334 UGFzc3dvcmQ6
        C: {PASS}
        S: 235 2.7.0 Authentication successful
        C: MAIL FROM:<scanner@contoso.com>
        S: 250 ok
        C: RCPT TO:<alice@contoso.com>
        S: 250 ok
        C: DATA
        S: 354 go
        C: <message: 24 bytes>
        C: .
        S: 250 queued
        C: QUIT
        S: 221 bye
        > close
        = delivered EOD 250
        """,
        cfg(security="opportunistic_starttls"),
    )


def test_pipelined_group_reports_the_reply_it_awaits() -> None:
    """A timeout inside a pipelined group names the command whose reply never came."""
    client = SmtpClient(
        cfg(security="none", mechanisms=(), pipelining=True, recipients=("a@x", "b@x"))
    )
    client.receive_data(b"220 hi\r\n")
    client.receive_data(b"250-x\r\n250 PIPELINING\r\n")
    stages = [client.stage]
    for reply in (b"250 ok\r\n", b"250 ok\r\n", b"550 5.1.1 unknown\r\n"):
        client.receive_data(reply)
        stages.append(client.stage)
    assert stages == ["MAIL", "RCPT", "RCPT", "DATA"]
