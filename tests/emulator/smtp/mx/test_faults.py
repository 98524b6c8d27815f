"""Fault rules over real sockets: each action, each match, and the seeded sequence.

The MX takes anonymous mail, so one plain session reaches every stage from
the banner to QUIT without credentials; the fault hook sits in the adapter
every front end shares.
"""

from __future__ import annotations

import asyncio
import json
import ssl

from exolab.emulator.server import Lab
from exolab.emulator.store.views import session_json
from tests.emulator.labs import LabFactory, sessions_recorded
from tests.emulator.smtp.mx.conftest import MX
from tests.emulator.smtp.wire import MATCHER, RawClient

BODY = b"From: scanner@fabrikam.com\r\nSubject: scan\r\n\r\npage one\r\n.\r\n"


def _send(lab: Lab, source: str = "127.20.0.10", name: str = "mfp") -> list[str]:
    """One message through the MX; every reply line up to the end of data (or the break)."""
    address, port = lab.endpoint(MX, 25)
    client = RawClient(address, port, source=source, timeout=5)
    try:
        client.reply()
        for command in (
            f"EHLO {name}",
            "MAIL FROM:<scanner@fabrikam.com>",
            "RCPT TO:<bob@contoso.com>",
        ):
            client.cmd(command)
        if not client.cmd("DATA")[0].startswith("354"):
            return client.lines
        client.send(BODY)
        client.reply()
        client.cmd("QUIT")
    except (ConnectionError, TimeoutError, OSError):
        pass
    finally:
        client.close()
    return client.lines


async def test_eod_reply_by_enhanced_code_refuses_once_then_accepts(
    lab_factory: LabFactory,
) -> None:
    lab = await lab_factory(
        "Fault[busy].Stage=eod", 'Fault[busy].Reply="4.7.500"', "Fault[busy].Count=1"
    )
    first = await asyncio.to_thread(_send, lab)
    second = await asyncio.to_thread(_send, lab)
    refused = [line for line in first if line.startswith("451")]
    assert len(refused) == 1
    assert refused[0].startswith("451 4.7.500 Server busy. Please try again later from [")
    assert MATCHER.which(refused[0]) == "fault.server_busy"
    assert any(line.startswith("250 2.6.0") for line in second)
    assert len(lab.store.messages()) == 1, "the refused message was not kept"
    sessions = sorted(await sessions_recorded(lab, 2), key=lambda s: s.id)
    shown = session_json(sessions[0])
    assert shown["faults"] == [
        {
            "name": "busy",
            "stage": "eod",
            "action": "reply",
            "reply": "4.7.500",
            "seconds": 0.0,
            "nth": 1,
        }
    ]
    assert any(n.startswith("fault busy: reply 4.7.500 at eod") for n in sessions[0].notes)
    assert session_json(sessions[1])["faults"] == []


async def test_whole_reply_line_is_said_as_written(lab_factory: LabFactory) -> None:
    lab = await lab_factory(
        "Fault[f].Stage=rcpt", 'Fault[f].Reply="452 4.3.1 Try later {not a placeholder}"'
    )
    lines = await asyncio.to_thread(_send, lab)
    assert "452 4.3.1 Try later {not a placeholder}" in lines


def _raw_break(lab: Lab, stage_commands: list[str]) -> tuple[list[str], str]:
    """Run ``stage_commands``; how the connection ended: 'reset', 'closed' or 'open'."""
    address, port = lab.endpoint(MX, 25)
    client = RawClient(address, port, source="127.20.0.10", timeout=5)
    try:
        client.reply()
        for command in stage_commands:
            client.send(command.encode() + b"\r\n")
        client.sock.settimeout(5)
        try:
            while True:
                data = client.sock.recv(65536)
                if not data:
                    return _lines(client), "closed"
                client.buffer += data
        except ConnectionResetError:
            return _lines(client), "reset"
        except TimeoutError:
            return _lines(client), "open"
    finally:
        client.close()


def _lines(client: RawClient) -> list[str]:
    return client.lines + client.buffer.decode("utf-8", "replace").split("\r\n")


async def test_reset_at_mail_is_a_tcp_rst(lab_factory: LabFactory) -> None:
    lab = await lab_factory("Fault[r].Stage=mail", "Fault[r].Action=reset")
    _, how = await asyncio.to_thread(_raw_break, lab, ["EHLO mfp", "MAIL FROM:<a@fabrikam.com>"])
    assert how == "reset"
    [session] = await sessions_recorded(lab)
    assert session.outcome == "fault r: connection reset at mail"


async def test_close_at_ehlo_is_a_polite_close_with_nothing_said(lab_factory: LabFactory) -> None:
    lab = await lab_factory("Fault[c].Stage=ehlo", "Fault[c].Action=close")
    lines, how = await asyncio.to_thread(_raw_break, lab, ["EHLO mfp"])
    assert how == "closed"
    assert b"250" not in " ".join(lines).encode()
    [session] = await sessions_recorded(lab)
    assert session.outcome == "fault c: connection closed at ehlo"


async def test_reply_at_banner_replaces_the_banner_and_closes(lab_factory: LabFactory) -> None:
    lab = await lab_factory("Fault[b].Stage=banner", 'Fault[b].Reply="session.temporary_error"')
    address, port = lab.endpoint(MX, 25)

    def talk() -> tuple[str, bool]:
        client = RawClient(address, port, source="127.20.0.10", timeout=5)
        try:
            return client.line(), client.closed()
        finally:
            client.close()

    line, closed = await asyncio.to_thread(talk)
    assert line.startswith("451 4.3.2 Temporary server error. Please try again later") and closed


def _silent_after(lab: Lab, commands: list[str]) -> bool:
    """True when the last of ``commands`` gets no answer within half a second."""
    address, port = lab.endpoint(MX, 25)
    client = RawClient(address, port, source="127.20.0.10", timeout=5)
    try:
        client.reply()
        for command in commands[:-1]:
            client.cmd(command)
        client.send(commands[-1].encode() + b"\r\n")
        client.sock.settimeout(0.5)
        try:
            client.line()
        except TimeoutError:
            return True
        return False
    finally:
        client.close()


async def test_stall_holds_the_stage_and_a_short_one_goes_on(lab_factory: LabFactory) -> None:
    long = await lab_factory("Fault[s].Stage=rcpt", "Fault[s].Action=stall", "Fault[s].Seconds=60")
    commands = ["EHLO mfp", "MAIL FROM:<a@fabrikam.com>", "RCPT TO:<bob@contoso.com>"]
    assert await asyncio.to_thread(_silent_after, long, commands)
    short = await lab_factory(
        "Fault[s].Stage=rcpt", "Fault[s].Action=stall", "Fault[s].Seconds=0.05"
    )
    lines = await asyncio.to_thread(_send, short)
    assert any(line.startswith("250 2.6.0") for line in lines)
    [session] = await sessions_recorded(short)
    assert "fault s: stall 0.05 s at rcpt (firing 1)" in session.notes


async def test_slow_holds_every_later_stage(lab_factory: LabFactory) -> None:
    lab = await lab_factory(
        "Fault[s].Stage=ehlo", "Fault[s].Action=slow", "Fault[s].Seconds=0.05", "Fault[s].Count=1"
    )
    lines = await asyncio.to_thread(_send, lab)
    assert any(line.startswith("250 2.6.0") for line in lines)
    slow = await lab_factory("Fault[s].Stage=banner", "Fault[s].Action=slow", "Fault[s].Seconds=60")
    # the banner came late; every command after it is held as long again
    assert await asyncio.to_thread(_silent_after_banner, slow)


def _silent_after_banner(lab: Lab) -> bool:
    address, port = lab.endpoint(MX, 25)
    client = RawClient(address, port, source="127.20.0.10", timeout=0.5)
    try:
        client.line()
    except TimeoutError:
        return True
    finally:
        client.close()
    return False


async def test_lose_250_stores_the_message_and_says_nothing(lab_factory: LabFactory) -> None:
    lab = await lab_factory(
        "Fault[l].Stage=eod", "Fault[l].Action=lose_250", "Fault[l].Seconds=0.2"
    )
    address, port = lab.endpoint(MX, 25)

    def talk() -> tuple[list[str], bool]:
        client = RawClient(address, port, source="127.20.0.10", timeout=5)
        try:
            client.reply()
            for command in (
                "EHLO mfp",
                "MAIL FROM:<a@fabrikam.com>",
                "RCPT TO:<bob@contoso.com>",
                "DATA",
            ):
                client.cmd(command)
            client.send(BODY)
            return client.lines, client.closed()
        finally:
            client.close()

    lines, closed = await asyncio.to_thread(talk)
    assert closed and lines[-1].startswith("354")
    assert len(lab.store.messages()) == 1, "the message is on disk though its 250 was lost"
    [session] = await sessions_recorded(lab)
    assert session.outcome == "fault l: delivered 1 message(s), 250 lost"


async def test_tls_stage_reset_breaks_the_handshake(lab_factory: LabFactory) -> None:
    lab = await lab_factory("Fault[t].Stage=tls", "Fault[t].Action=reset")
    _, how = await asyncio.to_thread(_raw_break, lab, ["EHLO mfp", "STARTTLS"])
    assert how == "reset"  # (an RST may drop the 220 unread: the record says it was sent)
    [session] = await sessions_recorded(lab)
    said = [x.line for x in session.transcript if x.dir == "S"]
    assert said[-1].startswith("220 2.0.0") and session.tls_version is None
    assert session.outcome == "fault t: connection reset at tls"


def _handshake(lab: Lab, version: ssl.TLSVersion | None = None) -> ssl.SSLError | None:
    """STARTTLS with Python's ssl as the client: the error its handshake ends in, if any."""
    address, port = lab.endpoint(MX, 25)
    client = RawClient(address, port, source="127.20.0.10", timeout=5)
    context = ssl.create_default_context(cafile=str(lab.context.ca.pem_path))
    context.check_hostname = False
    if version is not None:
        context.maximum_version = version
    try:
        client.reply()
        client.cmd("EHLO mfp")
        client.starttls(context, MX)
    except ssl.SSLError as error:
        return error
    finally:
        client.close()
    return None


async def test_tls_alert_answers_the_clienthello_with_the_named_alert(
    lab_factory: LabFactory,
) -> None:
    lab = await lab_factory("Fault[t].Stage=tls", "Fault[t].Action=tls_alert", "Fault[t].Count=2")
    error = await asyncio.to_thread(_handshake, lab)
    assert error is not None and error.reason == "SSLV3_ALERT_HANDSHAKE_FAILURE", error
    lab.context.tenant = lab.context.tenant.model_copy(
        update={
            "fault": (lab.context.tenant.fault[0].model_copy(update={"alert": "internal_error"}),)
        }
    )
    old = await asyncio.to_thread(_handshake, lab, ssl.TLSVersion.TLSv1_2)
    assert old is not None and old.reason == "TLSV1_ALERT_INTERNAL_ERROR", old
    assert await asyncio.to_thread(_handshake, lab) is None, "Count=2: the third one passes"
    sessions = sorted(await sessions_recorded(lab, 3), key=lambda s: s.id)
    assert sessions[0].outcome == "fault t: TLS alert handshake_failure at tls"
    assert "fault t: TLS alert handshake_failure sent for the ClientHello" in sessions[0].notes
    assert session_json(sessions[1])["faults"][0]["action"] == "tls_alert"
    assert sessions[2].tls_version is not None


async def test_matches_narrow_the_rule(lab_factory: LabFactory) -> None:
    lab = await lab_factory(
        "Site[branch].Source=127.20.0.30",
        "Site[branch].PublicIp=203.0.113.30",
        "Fault[f].Stage=rcpt",
        'Fault[f].Reply="4.7.500"',
        "Fault[f].Site=branch",
        "Fault[f].Port=25",
        f"Fault[f].Endpoint={MX}",
        'Fault[f].Source="127.20.0.0/24"',
        'Fault[f].User="scanner@fabrikam.com"',
    )
    other = await asyncio.to_thread(_send, lab, "127.20.0.10")
    branch = await asyncio.to_thread(_send, lab, "127.20.0.30")
    assert not any(line.startswith("451") for line in other)
    assert any(line.startswith("451 4.7.500") and "[203.0.113.30]" in line for line in branch)


async def test_ehlo_glob_tells_device_models_apart(lab_factory: LabFactory) -> None:
    lab = await lab_factory(
        "Fault[m].Stage=mail", 'Fault[m].Reply="4.7.500"', 'Fault[m].Ehlo="MFP-*"',
        "Fault[e].Stage=ehlo", 'Fault[e].Reply="4.7.500"', 'Fault[e].Ehlo="old-fw"',
    )  # fmt: skip
    other = await asyncio.to_thread(_send, lab, "127.20.0.10", "NPI0A1B2C")
    mfp = await asyncio.to_thread(_send, lab, "127.20.0.10", "mfp-sim")
    old = await asyncio.to_thread(_send, lab, "127.20.0.10", "OLD-FW")
    assert not any(line.startswith("451") for line in other)
    assert [line[:9] for line in mfp if line.startswith("451")] == ["451 4.7.5"]
    assert old[1].startswith("451 4.7.500"), "at ehlo the name being said is matched"


async def test_after_and_count_hit_the_third_message_only(lab_factory: LabFactory) -> None:
    lab = await lab_factory(
        "Fault[third].Stage=eod",
        'Fault[third].Reply="4.7.500"',
        "Fault[third].After=2",
        "Fault[third].Count=1",
    )
    results = [await asyncio.to_thread(_send, lab) for _ in range(4)]
    refused = [any(line.startswith("451") for line in lines) for lines in results]
    assert refused == [False, False, True, False]


async def test_time_window_uses_the_lab_clock(lab_factory: LabFactory) -> None:
    lab = await lab_factory(
        "Fault[w].Stage=mail", 'Fault[w].Reply="4.7.500"', "Fault[w].Until=2000-01-01T00:00:00Z"
    )
    lines = await asyncio.to_thread(_send, lab)
    assert not any(line.startswith("451") for line in lines), "the window closed long ago"


async def _sequence(lab_factory: LabFactory, seed: int) -> list[bool]:
    lab = await lab_factory(
        f"Lab.Seed={seed}",
        "Fault[p].Stage=mail",
        'Fault[p].Reply="4.7.500"',
        "Fault[p].Probability=0.5",
    )
    out = []
    for _ in range(12):
        lines = await asyncio.to_thread(_send, lab)
        out.append(any(line.startswith("451") for line in lines))
    return out


async def test_same_seed_same_faults_in_the_same_order(lab_factory: LabFactory) -> None:
    first = await _sequence(lab_factory, 7)
    again = await _sequence(lab_factory, 7)
    other = await _sequence(lab_factory, 8)
    assert first == again
    assert 0 < sum(first) < 12
    assert other != first


async def test_no_rules_no_hook(lab: Lab) -> None:
    lines = await asyncio.to_thread(_send, lab)
    assert any(line.startswith("250 2.6.0") for line in lines)
    [session] = await sessions_recorded(lab)
    assert json.loads(session.extra.get("faults", "[]")) == []
