"""A DNS client that asks the lab DNS server over the wire, and never anything else.

exolab is offline: sender authentication must see exactly what the lab DNS
serves (so a tenant DNS edit shows in the next message), never the host's
resolver. Every lookup is a real query over UDP (TCP when the answer is
truncated) with a fresh id, and nothing is cached by name.

What is reused, because it cannot hide an edit: one UDP socket for all the
lookups of one check (``LabDnsClient`` is a context manager), the query bytes
for a (name, type), and the parsed answer for a given pair of query bytes and
*response bytes* (``_PARSED``). An edit changes the response the server sends,
so the next message's lookup misses that memo and is parsed afresh. Measured
(benchmarks/directsend.py): dnspython's ``Resolver.resolve`` built a resolution,
a socket and a selector per query and parsed every response, about 0.2 ms of
CPU a query; SPF and DMARC cost 2 to 3 queries a message.
"""

from __future__ import annotations

import socket
import time
from types import TracebackType

import dns.entropy
import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdata
import dns.rdatatype

LIFETIME = 5.0
"""Seconds one lookup may take (the server is on loopback; this only bounds a stuck lab)."""

_MEMO_LIMIT = 1024
_QUERIES: dict[tuple[str, int], bytes] = {}
"""Query bytes (without the 2-byte id) for a (name, type), as dnspython builds them."""
_PARSED: dict[tuple[bytes, bytes], tuple[dns.rcode.Rcode, tuple[dns.rdata.Rdata, ...]]] = {}
"""(query bytes, response bytes), both without the id -> (rcode, answer records)."""


class LookupFailed(Exception):
    """The lab DNS did not answer, or answered SERVFAIL (a temporary error for SPF/DMARC)."""


class NxDomain(Exception):
    """The name does not exist (NXDOMAIN)."""


class LabDnsClient:
    """Lookups against the lab DNS at ``address``:``port``; one socket, closed by ``close``."""

    def __init__(self, address: str, port: int, lifetime: float = LIFETIME) -> None:
        self.server = (address, port)
        self.lifetime = lifetime
        self._sock: socket.socket | None = None

    def __enter__(self) -> LabDnsClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def lookup(
        self, name: str, rdtype: str | int, lifetime: float | None = None
    ) -> tuple[dns.rdata.Rdata, ...]:
        """The records of type ``rdtype`` at ``name`` (following CNAMEs in the answer); () for
        NODATA. Raises ``NxDomain``, or ``LookupFailed`` for anything else that is not an answer
        (timeout, SERVFAIL, REFUSED, a malformed response), or a ``dns.exception.DNSException``
        for a name that cannot be asked about."""
        qtype = dns.rdatatype.RdataType.make(rdtype)
        deadline = time.monotonic() + (self.lifetime if lifetime is None else lifetime)
        qwire = _query_bytes(name, qtype)
        qid = dns.entropy.random_16().to_bytes(2, "big")
        wire = self._exchange(qid + qwire, deadline)
        key = (qwire, wire[2:])
        known = _PARSED.get(key)
        if known is None:
            known = self._parse(name, qtype, qid, wire, deadline)
            if not wire[2] & 0x02:  # a truncated response does not show the whole answer
                if len(_PARSED) >= _MEMO_LIMIT:
                    _PARSED.clear()
                _PARSED[key] = known
        rcode, records = known
        if rcode == dns.rcode.NXDOMAIN:
            raise NxDomain(f"{name} {qtype.name}: NXDOMAIN")
        if rcode != dns.rcode.NOERROR:
            raise LookupFailed(f"{name} {qtype.name}: {dns.rcode.to_text(rcode)}")
        return records

    def _socket(self) -> socket.socket:
        if self._sock is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                sock.connect(self.server)  # the kernel drops datagrams from anyone else
            except OSError as exc:
                sock.close()
                raise LookupFailed(f"lab DNS {self.server}: {exc}") from exc
            self._sock = sock
        return self._sock

    def _exchange(self, query: bytes, deadline: float) -> bytes:
        """Send one query over UDP; the response that carries its id."""
        sock = self._socket()
        try:
            sock.send(query)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                sock.settimeout(remaining)
                wire = sock.recv(65535)
                # a late answer to an earlier query of this check has another id: skip it
                if len(wire) >= 12 and wire[:2] == query[:2] and wire[2] & 0x80:
                    return wire
        except TimeoutError:
            raise LookupFailed(f"lab DNS {self.server}: no answer in time") from None
        except OSError as exc:  # e.g. ICMP port unreachable: nothing listens there
            raise LookupFailed(f"lab DNS {self.server}: {exc}") from exc

    def _parse(
        self,
        name: str,
        qtype: dns.rdatatype.RdataType,
        qid: bytes,
        wire: bytes,
        deadline: float,
    ) -> tuple[dns.rcode.Rcode, tuple[dns.rdata.Rdata, ...]]:
        """What a response we have not seen before says (over TCP when it was truncated)."""
        request = dns.message.make_query(name, qtype)
        request.id = int.from_bytes(qid, "big")
        try:
            response = dns.message.from_wire(wire, ignore_trailing=True)
            if response.flags & dns.flags.TC:
                remaining = max(deadline - time.monotonic(), 0.001)
                address, port = self.server
                response = dns.query.tcp(request, address, remaining, port)
        except dns.exception.Timeout:
            raise LookupFailed(f"lab DNS {self.server}: no answer in time") from None
        except (dns.exception.DNSException, OSError, EOFError) as exc:
            raise LookupFailed(f"lab DNS {self.server}: bad response ({exc})") from exc
        if not request.is_response(response):
            raise LookupFailed(f"lab DNS {self.server}: the response does not match the query")
        rcode = response.rcode()
        if rcode != dns.rcode.NOERROR or not isinstance(response, dns.message.QueryMessage):
            return rcode, ()
        chain = response.resolve_chaining()
        return rcode, tuple(chain.answer) if chain.answer is not None else ()


def _query_bytes(name: str, qtype: dns.rdatatype.RdataType) -> bytes:
    """The query for (name, type) without its id: RD set, no EDNS (as dnspython's resolver)."""
    key = (name, int(qtype))
    wire = _QUERIES.get(key)
    if wire is None:
        wire = dns.message.make_query(name, qtype).to_wire()[2:]
        if len(_QUERIES) >= _MEMO_LIMIT:
            _QUERIES.clear()
        _QUERIES[key] = wire
    return wire


def txt_records(client: LabDnsClient, name: str) -> list[str]:
    """The TXT strings at ``name`` (each record's strings joined); [] for NXDOMAIN or NODATA."""
    try:
        records = client.lookup(name, "TXT")
    except NxDomain:
        return []
    except dns.exception.DNSException as exc:
        raise LookupFailed(f"{name} TXT: {exc}") from exc
    return [
        b"".join(rdata.strings).decode("utf-8", "replace")  # type: ignore[attr-defined]
        for rdata in records
    ]
