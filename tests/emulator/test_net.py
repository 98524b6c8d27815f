"""Binding through emulator.net: every failure is one LabStartError naming who and where."""

from __future__ import annotations

import socket

import pytest

from exolab.emulator.net import LabStartError, bind_socket, socket_port


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
