"""The lab DNS over real UDP and TCP sockets, asked with dnspython like any client would."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct

import dns.asyncquery
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from exolab.emulator.dns.zone import TTL
from exolab.emulator.lab import LabContext
from exolab.emulator.tenant import apply_overrides, parse_tenant
from exolab.emulator.tenant.loader import default_document

Server = tuple[str, int]


async def ask(server: Server, name: str, rdtype: str, tcp: bool = False) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype)
    if tcp:
        return await dns.asyncquery.tcp(query, server[0], port=server[1], timeout=5)
    return await dns.asyncquery.udp(query, server[0], port=server[1], timeout=5)


def texts(response: dns.message.Message) -> list[str]:
    return [rd.to_text() for rrset in response.answer for rd in rrset]


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
async def test_service_hosts_resolve_to_their_lab_addresses(
    lab: LabContext, dns_server: Server, tcp: bool
) -> None:
    for host in (
        "smtp.office365.com",
        "smtp-legacy.office365.com",
        "contoso-com.mail.protection.outlook.com",
        "login.microsoftonline.com",
    ):
        response = await ask(dns_server, host, "A", tcp)
        assert response.rcode() == dns.rcode.NOERROR
        assert response.flags & dns.flags.AA
        assert texts(response) == [lab.address_of(host)]
        assert response.answer[0].ttl == TTL


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
async def test_mx_and_spf_and_dmarc(dns_server: Server, tcp: bool) -> None:
    mx = await ask(dns_server, "contoso.com", "MX", tcp)
    assert texts(mx) == ["0 contoso-com.mail.protection.outlook.com."]
    spf = await ask(dns_server, "contoso.com", "TXT", tcp)
    assert texts(spf) == ['"v=spf1 ip4:203.0.113.39 include:spf.protection.outlook.com -all"']
    dmarc = await ask(dns_server, "_dmarc.contoso.com", "TXT", tcp)
    assert texts(dmarc)[0].startswith('"v=DMARC1; p=none')
    outlook = await ask(dns_server, "spf.protection.outlook.com", "TXT", tcp)
    assert "include" not in texts(outlook)[0] and "ip4:40.92.0.0/15" in texts(outlook)[0]


async def test_nxdomain_nodata_and_soa(dns_server: Server) -> None:
    missing = await ask(dns_server, "nosuch.contoso.com", "A")
    assert missing.rcode() == dns.rcode.NXDOMAIN
    assert missing.authority and missing.authority[0].rdtype == dns.rdatatype.SOA
    nodata = await ask(dns_server, "_dmarc.contoso.com", "A")
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer
    assert nodata.authority[0].rdtype == dns.rdatatype.SOA
    aaaa = await ask(dns_server, "smtp.office365.com", "AAAA")
    assert aaaa.rcode() == dns.rcode.NOERROR and not aaaa.answer
    ent = await ask(dns_server, "protection.outlook.com", "TXT")
    assert ent.rcode() == dns.rcode.NOERROR and not ent.answer  # empty non-terminal
    soa = await ask(dns_server, "contoso.com", "SOA")
    assert soa.answer[0].rdtype == dns.rdatatype.SOA
    outside = await ask(dns_server, "www.example.org", "A")
    assert outside.rcode() == dns.rcode.NXDOMAIN and not outside.flags & dns.flags.AA


async def test_a_tenant_swap_is_visible_to_the_next_query(
    lab: LabContext, dns_server: Server
) -> None:
    before = await ask(dns_server, "contoso.com", "TXT")
    assert "198.51.100.20" not in texts(before)[0]
    document = default_document()
    record = "v=spf1 ip4:203.0.113.39 ip4:198.51.100.20 include:spf.protection.outlook.com -all"
    apply_overrides(document, [("Dns.TXT[contoso.com]", record)])
    lab.tenant = parse_tenant(document, "test")
    after = await ask(dns_server, "contoso.com", "TXT")
    assert texts(after) == [f'"{record}"']


async def test_long_txt_is_split_into_strings_and_large_answers_truncate_over_udp(
    lab: LabContext, dns_server: Server
) -> None:
    long_spf = "v=spf1 " + " ".join(f"ip4:10.0.{i}.0/24" for i in range(40)) + " -all"
    many = [f"v=spf1 ip4:10.1.{i}.0/24 -all" + "x" * 40 for i in range(20)]
    lab.tenant = lab.tenant.model_copy(
        update={
            "dns": lab.tenant.dns.model_copy(
                update={
                    "txt": {
                        **lab.tenant.dns.txt,
                        "long.contoso.com": (long_spf,),
                        "many.contoso.com": tuple(many),
                    }
                }
            )
        }
    )
    response = await ask(dns_server, "long.contoso.com", "TXT", tcp=True)
    rdata = response.answer[0][0]
    assert len(rdata.strings) > 1 and b"".join(rdata.strings).decode() == long_spf
    udp = await ask(dns_server, "many.contoso.com", "TXT")
    assert udp.flags & dns.flags.TC
    tcp = await ask(dns_server, "many.contoso.com", "TXT", tcp=True)
    assert len(tcp.answer[0]) == 20


async def test_bad_tenant_data_gives_servfail_not_a_crash(
    lab: LabContext, dns_server: Server
) -> None:
    lab.tenant = lab.tenant.model_copy(
        update={"dns": lab.tenant.dns.model_copy(update={"mx": {"bad.contoso.com": ("x y z",)}})}
    )
    response = await ask(dns_server, "bad.contoso.com", "MX")
    assert response.rcode() == dns.rcode.SERVFAIL
    still = await ask(dns_server, "contoso.com", "MX")
    assert still.rcode() == dns.rcode.NOERROR


async def test_junk_packets_never_stop_the_server(dns_server: Server) -> None:
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    try:
        await loop.sock_connect(sock, dns_server)
        await loop.sock_sendall(sock, b"\x12\x34" + b"\xff" * 20)
        reply = await asyncio.wait_for(loop.sock_recv(sock, 512), 5)
        assert reply[:2] == b"\x12\x34"
        assert dns.message.from_wire(reply).rcode() == dns.rcode.FORMERR
        await loop.sock_sendall(sock, b"\x00")  # too short for a header: dropped
    finally:
        sock.close()
    reader, writer = await asyncio.open_connection(*dns_server)
    writer.write(struct.pack("!H", 5) + b"abc")  # promises 5 bytes, sends 3, hangs up
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    del reader
    response = await ask(dns_server, "contoso.com", "MX", tcp=True)
    assert response.rcode() == dns.rcode.NOERROR


async def test_several_queries_on_one_tcp_connection(dns_server: Server) -> None:
    reader, writer = await asyncio.open_connection(*dns_server)
    try:
        for name in ("contoso.com", "fabrikam.com"):
            wire = dns.message.make_query(name, "MX").to_wire()
            writer.write(struct.pack("!H", len(wire)) + wire)
        await writer.drain()
        names = []
        for _ in range(2):
            (length,) = struct.unpack("!H", await reader.readexactly(2))
            names.append(dns.message.from_wire(await reader.readexactly(length)).question[0].name)
        assert [n.to_text() for n in names] == ["contoso.com.", "fabrikam.com."]
    finally:
        writer.close()
        await writer.wait_closed()


async def test_endpoint_is_recorded(lab: LabContext, dns_server: Server) -> None:
    assert lab.endpoints.dns == {"address": "127.10.0.53", "port": dns_server[1]}


async def test_a_busy_port_gets_one_clear_error(lab: LabContext, dns_server: Server) -> None:
    from exolab.emulator.dns import LabDns
    from exolab.emulator.lab import PortPlan
    from exolab.emulator.net import LabStartError

    lab.ports = PortPlan(offset=dns_server[1] - 53)  # the port the running server holds
    with pytest.raises(
        LabStartError, match=r"lab DNS: 127\.10\.0\.53:\d+/(tcp|udp) is already in use"
    ):
        await LabDns().start(lab)


async def test_a_held_udp_port_is_named_and_the_tcp_socket_released(lab: LabContext) -> None:
    from exolab.emulator.dns import LabDns
    from exolab.emulator.lab import PortPlan
    from exolab.emulator.net import LabStartError

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as held:
        held.bind(("127.10.0.53", 0))
        port = held.getsockname()[1]
        lab.ports = PortPlan(offset=port - 53)
        with pytest.raises(LabStartError, match=rf"lab DNS: 127\.10\.0\.53:{port}/udp is already"):
            await LabDns().start(lab)
    with socket.socket() as again:  # the TCP half bound first was closed, not leaked
        again.bind(("127.10.0.53", port))


async def test_a_thousand_queries_sent_at_once_are_all_answered(dns_server: Server) -> None:
    """A fleet that starts at once: every query lands before the server reads one."""
    loop = asyncio.get_running_loop()
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(100)]
    answered: set[tuple[int, int]] = set()
    everyone = loop.create_future()

    def on_reply(index: int, sock: socket.socket) -> None:
        while True:
            try:
                reply = sock.recv(512)
            except BlockingIOError:
                return
            response = dns.message.from_wire(reply)
            assert response.rcode() == dns.rcode.NOERROR
            answered.add((index, response.id))
            if len(answered) == 1000 and not everyone.done():
                everyone.set_result(None)

    try:
        for index, sock in enumerate(sockets):
            sock.setblocking(False)
            sock.connect(dns_server)
            loop.add_reader(sock.fileno(), on_reply, index, sock)
        for index, sock in enumerate(sockets):  # no await: the server reads none of them yet
            for n in range(10):
                query = dns.message.make_query("smtp.office365.com", "A", id=index * 10 + n)
                sock.send(query.to_wire())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(everyone, 20)  # a bound on a hang, not a speed goal
        assert len(answered) == 1000
    finally:
        for sock in sockets:
            loop.remove_reader(sock.fileno())
            sock.close()
