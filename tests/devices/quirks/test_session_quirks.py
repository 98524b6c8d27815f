"""The quirks that bend the start of a session: STARTTLS first, a proxy's header, TLS when off."""

from __future__ import annotations

from exolab.devices.client.events import Send
from exolab.devices.client.machine import SmtpClient
from exolab.devices.quirks import build_chain
from tests.devices.devices_playbook import play
from tests.devices.test_client_machine import EXO_EHLO_POST, EXO_EHLO_PRE, cfg


def test_starttls_before_ehlo_is_refused_at_starttls() -> None:
    play(
        """
        S: 220 AM0PR02CA0134.outlook.office365.com Microsoft ESMTP MAIL Service ready
        C: STARTTLS
        S: 503 5.5.2 Send hello first
        C: QUIT
        S: 221 2.0.0 Service closing transmission channel
        > close
        = rejected STARTTLS 503
        """,
        cfg(),
        build_chain([("starttls-before-ehlo", {})]),
    )


def test_starttls_before_ehlo_greets_after_the_handshake() -> None:
    """A server that says 220 anyway gets the EHLO inside TLS, and the session goes on."""
    play(
        f"""
        S: 220 hi
        C: STARTTLS
        S: 220 2.0.0 SMTP server ready
        > starttls
        * tls
        C: EHLO MFP-SIM
        {EXO_EHLO_POST}
        C: AUTH LOGIN
        """,
        cfg(),
        build_chain([("starttls-before-ehlo", {})]),
    )


def test_opportunistic_device_refused_early_starttls_does_not_send_without_greeting() -> None:
    play(
        """
        S: 220 hi
        C: STARTTLS
        S: 503 5.5.2 Send hello first
        C: QUIT
        S: 221 bye
        > close
        = rejected STARTTLS 503
        """,
        cfg(security="opportunistic_starttls"),
        build_chain([("starttls-before-ehlo", {})]),
    )


def test_proxy_header_goes_in_front_of_the_first_ehlo_only() -> None:
    client = SmtpClient(cfg(), build_chain([("proxy-header", {"prefix": "!\x11"})]))
    events = client.receive_data(b"220 hi\r\n")
    ehlo = events[-1]
    assert isinstance(ehlo, Send)
    assert ehlo.data == b"!\x11EHLO MFP-SIM\r\n"  # one line: the server reads one command
    assert ehlo.lines == ("<2 bytes before EHLO MFP-SIM>", "EHLO MFP-SIM")
    client.receive_data(EXO_EHLO_PRE.replace("S: ", "").strip().replace("\n", "\r\n").encode())
    client.receive_data(b"\r\n220 2.0.0 SMTP server ready\r\n")
    again = client.tls_started()[-1]
    assert isinstance(again, Send) and again.data == b"EHLO MFP-SIM\r\n"


def test_proxy_header_unknown_command_is_a_refusal_at_ehlo() -> None:
    client = SmtpClient(cfg(), build_chain([("proxy-header", {})]))
    client.receive_data(b"220 hi\r\n")
    client.receive_data(b"500 5.3.3 Unrecognized command 'unknown'\r\n")
    client.receive_data(b"221 bye\r\n")
    assert client.result is not None
    assert (client.result.outcome, client.result.stage) == ("rejected", "EHLO")


def test_starttls_when_off_turns_none_into_opportunistic() -> None:
    chain = build_chain([("starttls-when-off", {})])
    assert chain.security_mode("none") == "opportunistic_starttls"
    assert chain.security_mode("starttls") == "starttls"
    assert chain.security_mode("implicit") == "implicit"


def test_pop_before_smtp_never_sends_auth_although_it_holds_credentials() -> None:
    play(
        f"""
        S: 220 hi
        C: EHLO MFP-SIM
        {EXO_EHLO_PRE}
        C: STARTTLS
        S: 220 2.0.0 SMTP server ready
        > starttls
        * tls
        C: EHLO MFP-SIM
        {EXO_EHLO_POST}
        C: MAIL FROM:<scanner@contoso.com>
        S: 530 5.7.57 Client not authenticated to send mail
        C: QUIT
        S: 221 bye
        > close
        = rejected MAIL 530
        """,
        cfg(),
        build_chain([("pop-before-smtp", {})]),
    )
