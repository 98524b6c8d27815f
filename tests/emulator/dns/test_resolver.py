"""The lab DNS client: real queries over the wire, nothing that could hide an edit."""

from __future__ import annotations

import asyncio
import socket
import threading

import dns.message
import dns.rrset
import pytest

from exolab.emulator.dns import LabDnsClient, LookupFailed, NxDomain, txt_records
from exolab.emulator.lab import LabContext
from exolab.emulator.tenant import apply_overrides, parse_tenant
from exolab.emulator.tenant.loader import default_document

Server = tuple[str, int]


def _with_txt(name: str, value: str) -> object:
    document = default_document()
    apply_overrides(document, [(f"Dns.TXT[{name}]", value)])
    return parse_tenant(document, "test")


async def test_answers_nodata_and_nxdomain(dns_server: Server) -> None:
    with LabDnsClient(*dns_server) as client:
        spf = await asyncio.to_thread(txt_records, client, "contoso.com")
        assert spf and spf[0].startswith("v=spf1 ")
        mx = await asyncio.to_thread(client.lookup, "contoso.com", "MX")
        assert [str(r.exchange) for r in mx] == [  # type: ignore[attr-defined]
            "contoso-com.mail.protection.outlook.com."
        ]
        assert await asyncio.to_thread(client.lookup, "contoso.com", "AAAA") == ()
        with pytest.raises(NxDomain):
            await asyncio.to_thread(client.lookup, "nothing.contoso.com", "TXT")


async def test_every_edit_is_seen_by_the_next_lookup(lab: LabContext, dns_server: Server) -> None:
    with LabDnsClient(*dns_server) as client:
        for value in ("v=spf1 -all", "v=spf1 ~all", "v=spf1 -all"):
            lab.tenant = _with_txt("contoso.com", value)  # type: ignore[assignment]
            assert await asyncio.to_thread(txt_records, client, "contoso.com") == [value]


async def test_a_truncated_answer_is_asked_again_over_tcp(
    lab: LabContext, dns_server: Server
) -> None:
    """Over 512 bytes the UDP answer is cut (TC) and says nothing of the record: the client
    asks over TCP every time, so an edit beyond the cut is seen too."""
    with LabDnsClient(*dns_server) as client:
        for tail in ("a", "b"):
            value = "v=spf1 " + "ip4:192.0.2.1 " * 60 + f"include:{tail}.example -all"
            lab.tenant = _with_txt("big.contoso.com", value)  # type: ignore[assignment]
            assert await asyncio.to_thread(txt_records, client, "big.contoso.com") == [value]


def test_a_dead_server_fails_as_a_lookup_error() -> None:
    with LabDnsClient("127.10.9.53", 9, lifetime=0.5) as client, pytest.raises(LookupFailed):
        client.lookup("contoso.com", "TXT")


def test_an_answer_with_another_id_is_skipped() -> None:
    """A late answer to an earlier query (another id) on the same socket is not taken."""
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.10.0.99", 0))
    server.settimeout(5)

    def serve() -> None:
        wire, peer = server.recvfrom(512)
        query = dns.message.from_wire(wire)
        stale = dns.message.make_response(query)
        stale.id = (query.id + 1) % 65536
        stale.answer.append(dns.rrset.from_text("x.example.", 0, "IN", "TXT", '"stale"'))
        server.sendto(stale.to_wire(), peer)
        good = dns.message.make_response(query)
        good.answer.append(dns.rrset.from_text("x.example.", 0, "IN", "TXT", '"fresh"'))
        server.sendto(good.to_wire(), peer)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        host, port = server.getsockname()
        with LabDnsClient(host, port, lifetime=5) as client:
            assert txt_records(client, "x.example") == ["fresh"]
    finally:
        thread.join()
        server.close()
