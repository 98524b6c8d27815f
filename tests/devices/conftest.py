"""Fixtures for device tests: a trustme lab CA, aiosmtpd servers, a tiny test DNS server.

The servers here are aiosmtpd's own (``Controller`` + ``SMTP``), i.e. code
nobody in this project wrote, so the firmware client's wire behaviour is
checked against an independent implementation rather than our emulator.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import dns.flags
import dns.message
import dns.rcode
import dns.rrset
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from exolab.devices.network import LabNetwork

LAB_HOST = "smtp.lab.test"
SOURCE = "127.20.0.10"
TLS_VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def lab_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def server_cert(lab_ca: trustme.CA) -> trustme.LeafCert:
    return lab_ca.issue_cert(LAB_HOST, "localhost", "127.0.0.1")


@pytest.fixture
def ca_pem(lab_ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    lab_ca.cert_pem.write_to_path(str(path))
    return path


@dataclass
class ServerTls:
    """A server-side context and the SNI names it saw."""

    context: ssl.SSLContext
    sni_seen: list[str | None] = field(default_factory=list)


@pytest.fixture
def server_tls(server_cert: trustme.LeafCert) -> Callable[[str, str], ServerTls]:
    def make(min_version: str = "1.2", max_version: str = "1.3") -> ServerTls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = TLS_VERSIONS[min_version]
            ctx.maximum_version = TLS_VERSIONS[max_version]
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        server_cert.configure_cert(ctx)
        out = ServerTls(ctx)

        def on_sni(_sock: Any, name: str | None, _ctx: Any) -> None:
            out.sni_seen.append(name)

        ctx.sni_callback = on_sni
        return out

    return make


class Sink:
    """aiosmtpd handler: keeps every envelope, peer and greeting name."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.peers: list[str] = []
        self.helo_names: list[str] = []
        self.logins: list[tuple[str, str, str]] = []
        self.xoauth2: list[str] = []

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        # aiosmtpd annotates peer as str | None, but it holds the transport's peername tuple
        self.peers.append(cast("tuple[str, int]", session.peer)[0])
        self.helo_names.append(session.host_name or "")
        return "250 2.0.0 OK queued"

    def authenticator(
        self, server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        user, password = data.login.decode(), data.password.decode()
        self.logins.append((mechanism, user, password))
        ok = password == "s3cret~pw"
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd sends the 535

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> AuthResult:
        # aiosmtpd calls handler.auth_<MECH>(server, args) for extra mechanisms
        import base64

        self.xoauth2.append(base64.b64decode(args[1]).decode())
        return AuthResult(success=True, auth_data="xoauth2")


@dataclass
class Smtpd:
    controller: Controller
    port: int
    sink: Sink


@pytest.fixture
def smtpd() -> Iterator[Callable[..., Smtpd]]:
    started: list[Controller] = []

    def start(*, ssl_context: ssl.SSLContext | None = None, **smtp: Any) -> Smtpd:
        sink = Sink()
        port = free_port()
        smtp.setdefault("authenticator", sink.authenticator)
        controller = Controller(
            sink, hostname="127.0.0.1", port=port, ssl_context=ssl_context, **smtp
        )
        controller.start()
        started.append(controller)
        return Smtpd(controller, port, sink)

    yield start
    for c in started:
        c.stop()


def lab_network(
    ports: dict[str, int], ca_pem: Path | None = None, dns: tuple[str, int] | None = None
) -> LabNetwork:
    data: dict[str, Any] = {
        "endpoints": {LAB_HOST: {"address": "127.0.0.1", "ports": ports}},
        "sites": {"office": {"source": SOURCE, "public": "203.0.113.39"}},
        "ca_pem": str(ca_pem) if ca_pem else None,
    }
    if dns is not None:
        data["dns"] = {"address": dns[0], "port": dns[1]}
    return LabNetwork.model_validate(data)


class _DnsProtocol(asyncio.DatagramProtocol):
    """A tiny authoritative answerer: A records from a dict, NXDOMAIN otherwise."""

    def __init__(self, records: dict[str, str], queries: list[tuple[str, str]]) -> None:
        self.records = records
        self.queries = queries
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        query = dns.message.from_wire(data)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        name = question.name.to_text().rstrip(".").lower()
        self.queries.append((name, addr[0]))
        if name in self.records:
            response.answer.append(
                dns.rrset.from_text(question.name, 60, "IN", "A", self.records[name])
            )
        else:
            response.set_rcode(dns.rcode.NXDOMAIN)
        assert self.transport is not None
        self.transport.sendto(response.to_wire(), addr)


@dataclass
class DnsFixture:
    address: tuple[str, int]
    queries: list[tuple[str, str]]


@pytest.fixture
async def test_dns() -> AsyncIterator[Callable[[dict[str, str]], Any]]:
    transports: list[asyncio.DatagramTransport] = []

    async def start(records: dict[str, str]) -> DnsFixture:
        queries: list[tuple[str, str]] = []
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _DnsProtocol(records, queries), local_addr=("127.10.9.53", 0)
        )
        transports.append(transport)
        host, port = transport.get_extra_info("sockname")[:2]
        return DnsFixture((host, port), queries)

    yield start
    for t in transports:
        t.close()
