"""The firmware client against servers that misbehave: it must classify, not hang or leak."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

from exolab.devices import Job, Settings, load_profile, send_scan
from exolab.devices.client.events import Finished, Send
from exolab.devices.client.machine import SmtpClient
from exolab.devices.result import DeviceResult
from tests.devices.conftest import SOURCE, lab_network
from tests.devices.test_client_machine import cfg

TO = ["alice@contoso.com"]


async def _send(profile_name: str, handler: Any, port: str, **kw: Any) -> tuple[DeviceResult, int]:
    listener = await asyncio.start_server(handler, "127.0.0.1", 0)
    bound = listener.sockets[0].getsockname()[1]
    profile = load_profile(profile_name)
    values = {"server": "127.0.0.1", "sender": "scanner@contoso.com"}
    if profile.auth.mechanisms:
        values |= {"username": "scanner@contoso.com", "password": "pw"}
    st = Settings.build(profile, values)
    async with listener:
        result = await send_scan(
            profile,
            st,
            kw.pop("job", Job(size=20_000)),
            lab_network({port: bound}),
            recipients=TO,
            site="office",
            **kw,
        )
    return result, bound


async def test_implicit_tls_reset_during_handshake_is_tls_failure_not_refused() -> None:
    """TCP was accepted; the server dropped the ClientHello (as legacy-TLS refusers do)."""

    async def drop_hello(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(10)
        writer.close()

    result, _ = await _send("fixed-465", drop_hello, "465", timeouts={"connect": 5})
    assert (result.outcome, result.stage) == ("tls_failure", "CONNECT"), result.render()


def _established_from(source: str, port: int) -> int:
    """ESTABLISHED TCP sockets from ``source`` to ``port`` (Linux /proc/net/tcp)."""
    a, b, c, d = (int(x) for x in source.split("."))
    local_ip = f"{d:02X}{c:02X}{b:02X}{a:02X}"
    count = 0
    for row in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = row.split()
        local, remote, state = fields[1], fields[2], fields[3]
        if local.startswith(local_ip + ":") and remote.endswith(f":{port:04X}") and state == "01":
            count += 1
    return count


async def test_timeout_with_a_stalled_send_leaves_no_socket_open() -> None:
    """The server stops reading mid-DATA: the device times out and its socket is gone."""
    release = asyncio.Event()

    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 hi\r\n")
        for answer in (b"250 x\r\n", b"250 ok\r\n", b"250 ok\r\n", b"354 go\r\n"):
            await reader.readline()
            writer.write(answer)
        await release.wait()  # never reads the body
        writer.close()

    result, port = await _send(
        "no-auth",
        stall,
        "25",
        job=Job(size=20_000_000),
        timeouts={"data": 0.3, "reply": 5},
    )
    try:
        assert (result.outcome, result.stage) == ("timeout", "EOD"), result.render()
        assert _established_from(SOURCE, port) == 0
    finally:
        release.set()


def test_endless_auth_challenges_make_the_device_give_up() -> None:
    """A server answering 334 to every AUTH line must not keep the device talking forever."""
    client = SmtpClient(cfg(security="none"))
    client.receive_data(b"220 hi\r\n")
    client.receive_data(b"250-host\r\n250 AUTH LOGIN\r\n")
    prompt = b"334 " + base64.b64encode(b"Username:") + b"\r\n"
    for _ in range(10):
        events = client.receive_data(prompt)
        sends = [e for e in events if isinstance(e, Send)]
        if any(s.lines == ("QUIT",) for s in sends):
            break
    else:
        raise AssertionError("the device kept answering 334 challenges")
    events = client.receive_data(b"221 bye\r\n")
    finished = [e for e in events if isinstance(e, Finished)]
    assert finished and (finished[0].result.outcome, finished[0].result.stage) == (
        "gave_up",
        "AUTH",
    )
