"""A TLS session reads through a buffer sized for SMTP, and large input still arrives whole."""

from __future__ import annotations

from exolab.emulator.server import Lab
from exolab.emulator.smtp.base import ExchangeSMTP
from exolab.emulator.smtp.tlsbuffer import TLS_READ_BUFFER
from tests.emulator.labs import LabFactory
from tests.emulator.smtp.test_submission import PASSWORD, SCANNER, in_thread, login_client

BOB = "bob@contoso.com"


def _live(lab: Lab) -> list[ExchangeSMTP]:
    frontends = lab.services[0].frontends  # type: ignore[attr-defined]
    return [c for f in frontends for c in f.live if isinstance(c, ExchangeSMTP)]


async def test_a_tls_session_holds_a_small_read_buffer_not_asyncios_256_kib(lab: Lab) -> None:
    client = await in_thread(lambda: login_client(lab))
    try:
        (held,) = _live(lab)
        tls = held._tls_protocol
        assert tls is not None and held.state is not None and held.state.tls_version
        assert TLS_READ_BUFFER <= 64 * 1024
        assert tls.max_size == TLS_READ_BUFFER
        buffer = vars(tls)["_ssl_buffer"]  # asyncio's own: 256 KiB per connection
        assert len(buffer) <= TLS_READ_BUFFER
    finally:
        await in_thread(client.quit)


async def test_a_1_mb_message_with_a_200_kb_line_arrives_whole_over_tls(
    lab_factory: LabFactory,
) -> None:
    lab = await lab_factory(f"Mailbox[{SCANNER}].MaxSendSize=4194304")
    long_line = b"y" * (200 * 1024)
    body = b"x" * 998 + b"\r\n"
    message = (
        f"From: {SCANNER}\r\nTo: {BOB}\r\nSubject: big\r\nMessage-ID: <big@printer>\r\n\r\n".encode()
        + long_line
        + b"\r\n"
        + body * 1050
        + b".starts with a dot\r\n"
    )
    assert len(message) > 1024 * 1024

    def send() -> dict[str, tuple[int, bytes]]:
        with login_client(lab) as c:
            c.login(SCANNER, PASSWORD)
            return c.sendmail(SCANNER, [BOB], message)

    assert await in_thread(send) == {}
    (inbox,) = lab.store.messages(BOB, "Inbox")
    assert inbox.body == message


async def test_an_over_long_command_line_over_tls_is_refused_and_the_session_goes_on(
    lab: Lab,
) -> None:
    def talk() -> tuple[int, int]:
        with login_client(lab) as c:
            code, _ = c.docmd("NOOP", "z" * (100 * 1024))
            after, _ = c.noop()
            return code, after

    code, after = await in_thread(talk)
    assert code == 500 and after == 250
