"""Binding through emulator.net: every failure is one LabStartError naming who and where."""

from __future__ import annotations

import asyncio
import socket
import subprocess

import pytest

from exolab.emulator.net import LabStartError, bind_socket, listen_tcp, server_port, socket_port


def test_a_bound_tcp_socket_listens_on_the_port_asked() -> None:
    with bind_socket("lab API", "", "127.0.0.1", 0) as sock:
        port = socket_port(sock)
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass


def test_a_busy_port_names_service_host_address_and_port() -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        with pytest.raises(LabStartError) as refused:
            bind_socket("token service", "login.microsoftonline.com", "127.0.0.1", port)
    error = refused.value
    assert (error.service, error.host, error.address, error.port) == (
        "token service",
        "login.microsoftonline.com",
        "127.0.0.1",
        port,
    )
    assert str(error).startswith(
        f"token service login.microsoftonline.com: 127.0.0.1:{port} is already in use"
    )


def test_an_address_this_machine_lacks_and_one_that_is_no_address() -> None:
    with pytest.raises(LabStartError, match=r"lab API: 192\.0\.2\.1:0 is not an address of this"):
        bind_socket("lab API", "", "192.0.2.1", 0)
    with pytest.raises(LabStartError, match=r"lab DNS: localhost:53/udp is not an IP address"):
        bind_socket("lab DNS", "", "localhost", 53, "udp")


async def test_a_server_keeps_the_backlog_a_thousand_devices_need() -> None:
    server = await listen_tcp(asyncio.Protocol, "SMTP", "test", "127.0.0.1", 0)
    try:
        port = server_port(server)
        # ss shows a listening socket's backlog as its Send-Q
        shown = subprocess.run(
            ["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True, check=True
        ).stdout.split()
        assert int(shown[2]) >= 1000, shown  # asyncio's own default would be 100
    finally:
        server.close()
        await server.wait_closed()


async def test_accepted_connections_send_small_replies_at_once() -> None:
    """Nagle off (TCP_NODELAY) on every accepted socket: asyncio sets it only when the
    listener's protocol number says TCP, and without it a pipelining client waited a
    delayed ACK for the second of two back-to-back replies."""
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    server = await listen_tcp(Probe, "SMTP", "test", "127.0.0.1", 0)
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", server_port(server))
        assert await asyncio.wait_for(accepted, 5) != 0
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
