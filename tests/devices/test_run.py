"""The device's own TCP socket: small commands leave at once."""

from __future__ import annotations

import asyncio
import socket

from exolab.devices.run import tcp_socket


async def test_the_device_socket_turns_nagle_off_once_connected() -> None:
    """asyncio sets TCP_NODELAY only on a socket whose protocol number says TCP; a
    pipelining device with Nagle on held its RCPT behind the ACK of its MAIL."""
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sock = tcp_socket()
    try:
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
        _, writer = await asyncio.open_connection(sock=sock)
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
