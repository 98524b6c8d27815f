"""The ends of a session: idle timeout, a failed TLS handshake, and a lab stopped mid-session."""

from __future__ import annotations

import asyncio
import base64
import gc
import threading
import time
import weakref

from exolab.emulator.smtp.base import ExchangeSMTP
from exolab.emulator.store import Store
from tests.emulator.labs import LabFactory, sessions_recorded
from tests.emulator.smtp.conftest import client_context, secured_submission
from tests.emulator.smtp.wire import MATCHER, RawClient


async def test_idle_timeout_says_4_4_1_and_closes(lab_factory: LabFactory) -> None:
    lab = await lab_factory("Lab.IdleTimeout=0.3")

    def talk() -> tuple[str, bool]:
        c = RawClient(*lab.endpoint("smtp.office365.com", 587))
        c.reply()
        line = c.line()  # nothing sent: the server speaks when the idle timeout fires
        closed = c.closed()
        c.close()
        return line, closed

    line, closed = await asyncio.to_thread(talk)
    assert line == "421 4.4.1 Connection timed out"  # not the total-session text
    assert MATCHER.which(line) == "session.idle_timeout" and closed
    [session] = await sessions_recorded(lab)
    assert any(n.startswith("idle_timeout") for n in session.notes)


async def test_failed_handshake_is_recorded(lab_factory: LabFactory) -> None:
    lab = await lab_factory()

    def talk() -> None:
        c = RawClient(*lab.endpoint("smtp.office365.com", 587))
        c.reply()
        c.cmd("EHLO mfp")
        assert c.cmd("STARTTLS")[0].startswith("220 2.0.0")
        c.send(b"this is not a TLS ClientHello\r\n" * 4)
        c.closed()
        c.close()

    await asyncio.to_thread(talk)
    [session] = await sessions_recorded(lab)
    assert session.outcome.startswith("TLS handshake failed")
    assert session.tls_version is None


async def test_stop_records_open_sessions_and_keeps_committed_mail(lab_factory: LabFactory) -> None:
    lab = await lab_factory()
    address, port = lab.endpoint("smtp.office365.com", 587)
    reader, writer = await asyncio.open_connection(address, port, local_addr=("127.20.0.20", 0))
    assert (await reader.readline()).startswith(b"220 ")
    path = lab.store.path
    await lab.stop()
    assert await reader.read() == b"", "the lab closed the open session"
    writer.close()
    from exolab.emulator.store import Store

    store = Store.open(path)
    try:
        [session] = store.sessions()
    finally:
        store.close()
    assert session.site == "branch" and session.public_ip == "198.51.100.20"
    assert session.outcome == "closed without a message"


async def test_stop_records_a_tls_session_whose_client_does_not_answer(
    lab_factory: LabFactory,
) -> None:
    """The device never reads the TLS close_notify: the lab drops it and still records it."""
    lab = await lab_factory()
    ready, done = threading.Event(), threading.Event()

    def talk() -> None:
        c = secured_submission(lab)
        ready.set()
        done.wait(60)  # the device hangs: it never reads the server's close_notify
        c.close()

    thread = threading.Thread(target=talk)
    thread.start()
    await asyncio.to_thread(ready.wait, 10)
    path = lab.store.path
    await lab.stop()
    done.set()
    await asyncio.to_thread(thread.join)
    store = Store.open(path)
    try:
        sessions = store.sessions()
    finally:
        store.close()
    assert len(sessions) == 1 and sessions[0].tls_version == "TLSv1.3"


async def test_a_slow_bdat_chunk_that_keeps_arriving_is_not_timed_out(
    lab_factory: LabFactory,
) -> None:
    """Bytes of a long chunk are activity: the idle timer restarts as they come (as for DATA)."""
    lab = await lab_factory("Lab.IdleTimeout=1")
    login = [
        "AUTH LOGIN",
        base64.b64encode(b"scanner@contoso.com").decode(),
        base64.b64encode(b"Scan-2-Mail!").decode(),
        "MAIL FROM:<scanner@contoso.com>",
        "RCPT TO:<bob@contoso.com>",
    ]
    message = b"From: scanner@contoso.com\r\nSubject: slow\r\n\r\n" + b"x" * 3000 + b"\r\n"

    def talk() -> str:
        c = RawClient(*lab.endpoint("smtp.office365.com", 587))
        try:
            c.reply()
            c.cmd("EHLO mfp")
            c.starttls(client_context(lab))
            c.cmd("EHLO mfp")
            for line in login:
                c.cmd(line)
            c.send(f"BDAT {len(message)} LAST\r\n".encode())
            for start in range(0, len(message), 100):  # about 2 s in all, never 1 s silent
                c.send(message[start : start + 100])
                time.sleep(0.07)
            return c.line()
        finally:
            c.close()

    reply = await asyncio.to_thread(talk)
    assert reply.startswith("250 2.0.0 OK <"), reply
    [copy] = lab.store.messages(mailbox="bob@contoso.com")
    assert copy.body == message


async def test_an_ended_session_is_freed_at_once_not_left_to_the_cycle_collector(
    lab_factory: LabFactory,
) -> None:
    """Refcounting frees an ended session (its transcript, TLS objects, buffers): nothing of it
    waits for Python's cycle collector, whose rare full passes over hundreds of ended sessions
    cost a busy lab more than the sessions' own work."""
    from tests.emulator.smtp.test_submission import MESSAGE, PASSWORD, SCANNER, login_client

    lab = await lab_factory()

    def delivered_over_tls() -> None:
        with login_client(lab) as c:
            c.login(SCANNER, PASSWORD)
            c.sendmail(SCANNER, ["bob@contoso.com"], MESSAGE)

    def dropped_mid_data() -> None:
        c = secured_submission(lab)
        c.cmd("MAIL FROM:<scanner@contoso.com>")
        c.send(b"DATA\r\nSubject: half a scan\r\n")
        c.close()  # no end of data, no QUIT: the device lost power

    gc.collect()
    gc.disable()
    try:
        await asyncio.to_thread(delivered_over_tls)
        await asyncio.to_thread(dropped_mid_data)
        await sessions_recorded(lab, 2)
        ended = [weakref.ref(o) for o in gc.get_objects() if isinstance(o, ExchangeSMTP)]
        assert ended, "the sessions' protocols were found while they could still be alive"
        for _ in range(300):  # a closing session keeps a timer for CLOSE_GRACE (0.5 s)
            if all(ref() is None for ref in ended):
                break
            await asyncio.sleep(0.01)
        alive = [ref() for ref in ended if ref() is not None]
        assert alive == [], "an ended session is held by a reference cycle"
    finally:
        gc.enable()
