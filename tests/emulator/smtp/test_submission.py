"""smtp.office365.com / smtp-legacy.office365.com end to end: real sockets, real TLS, smtplib."""

from __future__ import annotations

import asyncio
import base64
import smtplib
from collections.abc import Callable
from typing import TypeVar

import pytest

from exolab.emulator.server import Lab
from exolab.emulator.store import Store
from tests.emulator.labs import TEST_TIME, LabFactory, sessions_recorded
from tests.emulator.smtp.conftest import client_context, secured_submission
from tests.emulator.smtp.wire import MATCHER, RawClient

T = TypeVar("T")
SCANNER, PASSWORD = "scanner@contoso.com", "Scan-2-Mail!"
MESSAGE = b"From: scanner@contoso.com\r\nTo: bob@contoso.com\r\nSubject: Scan 001\r\nMessage-ID: <scan-001@printer>\r\n\r\nPDF follows\r\n"


async def in_thread(fn: Callable[[], T]) -> T:
    return await asyncio.to_thread(fn)


def smtp(
    lab: Lab, host: str = "smtp.office365.com", port: int = 587, source: str = "127.20.0.10"
) -> smtplib.SMTP:
    address, bound = lab.endpoint(host, port)
    client = smtplib.SMTP(local_hostname="mfp-01", source_address=(source, 0), timeout=10)
    # SNI and name check for the simulated host, as a device would send; smtplib keeps that
    # name in the private `_host`, which typeshed does not declare
    client._host = host  # type: ignore[attr-defined]
    _, banner = client.connect(address, bound)
    client.banner = banner  # type: ignore[attr-defined]
    return client


def login_client(
    lab: Lab, tls: str | None = None, host: str = "smtp.office365.com", port: int = 587
) -> smtplib.SMTP:
    client = smtp(lab, host, port)
    client.starttls(context=client_context(lab, tls))
    client.ehlo()
    return client


async def test_scan_reaches_inbox_sent_items_and_outbound(lab: Lab) -> None:
    def send() -> dict[str, tuple[int, bytes]]:
        with login_client(lab) as c:
            c.login(SCANNER, PASSWORD)
            return c.sendmail(SCANNER, ["bob@contoso.com", "partner@fabrikam.com"], MESSAGE)

    assert await in_thread(send) == {}
    # committed before the 250: a second connection to the file sees every copy now
    other = Store.open(lab.store.path)
    try:
        placed = {(m.mailbox, m.folder): m for m in other.messages()}
    finally:
        other.close()
    assert set(placed) == {
        ("bob@contoso.com", "Inbox"),
        ("scanner@contoso.com", "Outbound"),
        ("scanner@contoso.com", "Sent Items"),
    }
    inbox = placed["bob@contoso.com", "Inbox"]
    assert inbox.body == MESSAGE and inbox.message_id == "<scan-001@printer>"
    received = dict(inbox.headers_added)["Received"]
    assert "(203.0.113.39)" in received and "version=TLS1_3" in received
    assert placed["scanner@contoso.com", "Outbound"].envelope_to == ("partner@fabrikam.com",)
    assert placed["scanner@contoso.com", "Sent Items"].headers_added == ()


async def test_banner_ehlo_and_the_250_look_like_exchange(lab: Lab) -> None:
    def talk() -> tuple[bytes, bytes, bytes, tuple[int, bytes]]:
        c = smtp(lab)
        banner = c.banner  # type: ignore[attr-defined]
        _, plain = c.ehlo()
        c.starttls(context=client_context(lab))
        _, tls = c.ehlo()
        c.login(SCANNER, PASSWORD)
        c.mail(SCANNER)
        c.rcpt("bob@contoso.com")
        result = c.data(MESSAGE)
        c.quit()
        return banner, plain, tls, result

    banner, plain, tls, (code, text) = await in_thread(talk)
    # The lab date as Exchange writes it: day not zero-padded ("Mon, 1 Jun 2015 12:00:00 +0000").
    ready_at = f"{TEST_TIME:%a}, {TEST_TIME.day} {TEST_TIME:%b %Y %H:%M:%S} +0000"
    assert banner.decode().endswith(f"Microsoft ESMTP MAIL Service ready at {ready_at}")
    assert b"Hello [203.0.113.39]" in plain and b"STARTTLS" in plain and b"AUTH" not in plain
    assert b"AUTH LOGIN XOAUTH2" in tls and b"STARTTLS" not in tls
    assert code == 250 and text.startswith(b"2.0.0 OK <scan-001@printer> [Hostname=")


async def test_auth_plain_and_auth_before_starttls_get_504(lab: Lab) -> None:
    def talk() -> tuple[tuple[int, bytes], tuple[int, bytes]]:
        c = smtp(lab)
        c.ehlo()
        before = c.docmd("AUTH", "LOGIN")
        c.starttls(context=client_context(lab))
        c.ehlo()
        plain = c.docmd(
            "AUTH", "PLAIN " + base64.b64encode(b"\0scanner@contoso.com\0Scan-2-Mail!").decode()
        )
        c.quit()
        return before, plain

    before, plain = await in_thread(talk)
    assert before[0] == 504 and before[1].startswith(b"5.7.4 Unrecognized authentication type [")
    assert plain[0] == 504 and plain[1].startswith(b"5.7.4 Unrecognized authentication type")


async def test_login_prompts_are_exchanges(lab: Lab) -> None:
    def talk() -> list[str]:
        c = secured_submission(lab)
        out = c.cmd("AUTH LOGIN") + c.cmd(base64.b64encode(SCANNER.encode()).decode())
        out += c.cmd(base64.b64encode(PASSWORD.encode()).decode())
        c.close()
        return out

    assert await in_thread(talk) == [
        "334 VXNlcm5hbWU6",
        "334 UGFzc3dvcmQ6",
        "235 2.7.0 Authentication successful",
    ]


async def test_mail_after_failed_auth_appends_the_error(lab: Lab) -> None:
    def talk() -> tuple[int, bytes]:
        with login_client(lab) as c:
            with pytest.raises(smtplib.SMTPAuthenticationError) as failed:
                c.login("alice@contoso.com", "Alice-Pass-1")
            assert failed.value.smtp_code == 535
            return c.docmd("MAIL", "FROM:<alice@contoso.com>")

    code, text = await in_thread(talk)
    assert code == 530
    assert text.startswith(
        b"5.7.57 Client not authenticated to send mail. Error: 535 5.7.139 Authentication "
        b"unsuccessful, SmtpClientAuthentication is disabled for the Tenant."
    )


async def test_tls_1_0_is_refused_at_auth_and_closed(lab: Lab) -> None:
    def talk() -> tuple[str, bool, str]:
        c = RawClient(*lab.endpoint("smtp.office365.com", 587))
        c.reply()
        c.cmd("EHLO mfp")
        c.starttls(client_context(lab, "1.0"))
        version = c.sock.version()  # type: ignore[union-attr]
        c.cmd("EHLO mfp")
        reply = c.cmd("AUTH LOGIN")[0]
        closed = c.closed()
        c.close()
        return reply, closed, str(version)

    reply, closed, version = await in_thread(talk)
    assert version == "TLSv1"
    assert reply.startswith("421 4.7.66 TLS 1.0 and 1.1 are not supported.")
    assert closed
    [session] = await sessions_recorded(lab)
    assert (
        session.tls_version == "TLSv1"
        and "refuse_legacy_tls_on_default_endpoint" in session.outcome
    )


@pytest.mark.parametrize("opted_in", [False, True])
async def test_legacy_endpoint_admits_tls_1_1_only_with_the_opt_in(
    lab_factory: LabFactory, opted_in: bool
) -> None:
    lab = await lab_factory(f"TransportConfig.AllowLegacyTLSClients={str(opted_in).lower()}")

    def talk() -> int:
        with login_client(lab, "1.1", host="smtp-legacy.office365.com") as c:
            try:
                c.login(SCANNER, PASSWORD)
            except smtplib.SMTPAuthenticationError as exc:
                assert (
                    b"5.7.67 TLS 1.0 and 1.1 are not supported by your organization"
                    in exc.smtp_error
                )
                return exc.smtp_code
            return 235

    assert await in_thread(talk) == (235 if opted_in else 535)


async def test_envelope_and_header_send_as(lab: Lab) -> None:
    def talk() -> tuple[tuple[int, bytes], tuple[int, bytes]]:
        with login_client(lab) as c:
            c.login(SCANNER, PASSWORD)
            envelope = c.docmd("MAIL", "FROM:<alice@contoso.com>")
            c.rset()
            c.mail(SCANNER)
            c.rcpt("bob@contoso.com")
            header = c.data(MESSAGE.replace(b"From: scanner@", b"From: alice@"))
            return envelope, header

    envelope, header = await in_thread(talk)
    assert envelope[0] == 550 and envelope[1].startswith(
        b"5.7.60 SMTP; Client does not have permissions"
    )
    assert header[0] == 554
    assert header[1].startswith(
        b"5.2.252 SendAsDenied; scanner@contoso.com not allowed to send as alice@contoso.com;"
    )
    assert lab.store.messages() == []


async def test_size_parameter_and_max_send_size(lab_factory: LabFactory) -> None:
    lab = await lab_factory("Mailbox[scanner@contoso.com].MaxSendSize=2048")

    def talk() -> tuple[tuple[int, bytes], tuple[int, bytes]]:
        with login_client(lab) as c:
            c.login(SCANNER, PASSWORD)
            too_big = c.docmd("MAIL", "FROM:<scanner@contoso.com> SIZE=157286401")
            c.mail(SCANNER)
            c.rcpt("bob@contoso.com")
            over = c.data(MESSAGE + b"x" * 4096 + b"\r\n")
            return too_big, over

    too_big, over = await in_thread(talk)
    assert too_big[0] == 552 and too_big[1].startswith(b"5.3.4 ")
    assert over[0] == 554 and b"MapiExceptionMaxSubmissionExceeded" in over[1]


async def test_fourth_connection_gets_432_at_data(lab: Lab) -> None:
    def talk() -> list[int]:
        clients = [login_client(lab) for _ in range(4)]
        codes = []
        for c in clients:
            c.login(SCANNER, PASSWORD)
        for c in clients:
            c.mail(SCANNER)
            c.rcpt("bob@contoso.com")
            code, text = c.docmd("DATA")
            codes.append(code)
            if code == 354:
                c.send(MESSAGE + b".\r\n")
                c.getreply()
            else:
                assert text.startswith(
                    b"4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname="
                )
        for c in clients:
            c.quit()
        return codes

    assert await in_thread(talk) == [354, 354, 354, 432]


async def test_daily_recipient_quota(lab_factory: LabFactory) -> None:
    lab = await lab_factory("Limits.RecipientsPerDay=3")

    def talk() -> list[int]:
        codes = []
        with login_client(lab) as c:
            c.login(SCANNER, PASSWORD)
            for rcpts in (
                ["bob@contoso.com", "alice@contoso.com"],
                ["bob@contoso.com"],
                ["bob@contoso.com"],
            ):
                c.mail(SCANNER)
                for r in rcpts:
                    c.rcpt(r)
                code, text = c.data(MESSAGE)
                codes.append(code)
            assert b"SubmissionQuotaExceededException" in text
        return codes

    assert await in_thread(talk) == [250, 250, 554]


async def test_bdat_chunks_and_pipelining(lab: Lab) -> None:
    body = MESSAGE * 3

    def talk() -> list[str]:
        c = secured_submission(lab)
        c.cmd("AUTH LOGIN " + base64.b64encode(SCANNER.encode()).decode())
        c.cmd(base64.b64encode(PASSWORD.encode()).decode())
        half = len(body) // 2
        c.send(
            b"MAIL FROM:<scanner@contoso.com>\r\nRCPT TO:<bob@contoso.com>\r\n"
            + f"BDAT {half}\r\n".encode()
            + body[:half]
            + f"BDAT {len(body) - half} LAST\r\n".encode()
            + body[half:]
            + b"QUIT\r\n"
        )
        out = [c.reply()[0] for _ in range(5)]
        c.close()
        return out

    out = await in_thread(talk)
    assert out[:3] == [
        "250 2.1.0 Sender OK",
        "250 2.1.5 Recipient OK",
        f"250 2.0.0 {len(body) // 2} bytes received",
    ]
    assert out[3].startswith("250 2.0.0 OK <scan-001@printer>")
    assert out[4] == "221 2.0.0 Service closing transmission channel"
    [inbox] = lab.store.messages(folder="Inbox")
    assert inbox.body == body


async def test_dot_stuffing_and_bare_lf_dot_does_not_end_data(lab: Lab) -> None:
    tricky = b"From: scanner@contoso.com\r\nSubject: t\r\n\r\n..leading dot\r\nsmuggle\n.\r\nstill body\r\n"

    def talk() -> str:
        c = secured_submission(lab)
        c.cmd("AUTH LOGIN " + base64.b64encode(SCANNER.encode()).decode())
        c.cmd(base64.b64encode(PASSWORD.encode()).decode())
        c.cmd("MAIL FROM:<scanner@contoso.com>")
        c.cmd("RCPT TO:<bob@contoso.com>")
        c.cmd("DATA")
        c.send(tricky + b".\r\n")
        reply = c.reply()[0]
        c.close()
        return reply

    assert (await in_thread(talk)).startswith("250 2.0.0 OK")
    [inbox] = lab.store.messages(folder="Inbox")
    assert inbox.body == tricky.replace(b"\r\n..", b"\r\n.")


async def test_sequence_errors_and_unknown_commands(lab: Lab) -> None:
    def talk() -> list[str]:
        c = RawClient(*lab.endpoint("smtp.office365.com", 25))
        c.reply()
        out = [c.cmd("STARTTLS")[0], c.cmd("MAIL FROM:<a@b.c>")[0], c.cmd("XYZZY hello")[0]]
        c.cmd("EHLO mfp")
        out += [
            c.cmd("RCPT TO:<bob@contoso.com>")[0],
            c.cmd("DATA")[0],
            c.cmd("RSET")[0],
            c.cmd("NOOP")[0],
        ]
        c.send(b"\xff\xfe\x00junk\r\n")
        out.append(c.reply()[0])
        out.append(c.cmd("QUIT")[0])
        c.close()
        return out

    out = await in_thread(talk)
    assert out[0].startswith("503 5.5.2 Send hello first [")
    assert out[1].startswith("503 5.5.2 Send hello first")
    assert out[2].startswith("500 5.3.3 Unrecognized command 'XYZZY' [")
    assert out[3].startswith("503 5.5.2 Need mail command")
    assert out[4].startswith("503 5.5.2 Need mail command")
    assert out[5:7] == ["250 2.0.0 Resetting", "250 2.0.0 OK"]
    assert out[7].startswith("500 5.3.3 Unrecognized command 'unknown' [")
    assert out[8] == "221 2.0.0 Service closing transmission channel"
    assert all(MATCHER.which(line) for line in out)


async def test_port_465_stays_silent_and_is_recorded(lab: Lab) -> None:
    def talk() -> bytes:
        c = RawClient(*lab.endpoint("smtp.office365.com", 465))
        c.send(b"\x16\x03\x01\x00\x05hello")
        data = c.sock.recv(100)  # the lab holds Port465Hold (0.3 s here) and then drops
        c.close()
        return data

    assert await in_thread(talk) == b""
    [session] = await sessions_recorded(lab)
    assert session.port == 465 and session.outcome == "port 465: silently dropped"
    assert session.public_ip == "203.0.113.39" and session.site == "office"


async def test_session_record_redacts_the_password(lab: Lab) -> None:
    def send() -> None:
        with login_client(lab) as c:
            c.login(SCANNER, PASSWORD)

    await in_thread(send)
    [session] = await sessions_recorded(lab)
    text = "\n".join(x.line for x in session.transcript)
    assert base64.b64encode(PASSWORD.encode()).decode() not in text and PASSWORD not in text
    assert "<redacted>" in text
    assert session.identity == SCANNER and session.auth_method == "LOGIN"
    assert session.tls_version == "TLSv1.3" and session.cipher
    assert any(n.startswith("auth_success") for n in session.notes)
