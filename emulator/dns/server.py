"""The lab DNS server: UDP and TCP on one address and port, asyncio, dnspython wire format.

Each query reads ``lab.tenant`` afresh (the tenant may be swapped at run time)
and asks ``zone.resolve``; answers are memoised only for the tenant object they
were built from (``AnswerMemo``), so a swapped tenant is seen by the next
query. UDP is read straight off the socket, a burst at a time, into a wide
receive buffer, so a fleet that starts at once is answered, not dropped
(``_UdpServer``). Bad packets never crash the server: a query that cannot be parsed but has a header gets FORMERR, shorter
junk is dropped, and tenant data that cannot be served gets SERVFAIL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct

import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdataclass

from exolab.emulator.dns import zone
from exolab.emulator.lab import LabContext
from exolab.emulator.net import LabStartError, bind_socket, socket_port

log = logging.getLogger(__name__)

TCP_IDLE = 30.0
"""Seconds a TCP client may sit idle before the server closes it."""

_UDP_DEFAULT_SIZE = 512
_BIND_ATTEMPTS = 20
SERVICE = "lab DNS"


class AnswerMemo:
    """Responses already built for the tenant object now in the lab, by query bytes.

    The tenant is frozen and an edit swaps the whole object (``--set``, the
    API), so a memo that belongs to one tenant object can never hide an edit:
    the first query after a swap finds a different object and starts afresh.
    Keyed by the query minus its id (flags, question, EDNS) and the size
    limit; the id is patched in. Bounded, so random names cannot grow it.
    """

    LIMIT = 4096

    def __init__(self) -> None:
        self._tenant: object | None = None
        self._answers: dict[tuple[bytes, int | None], bytes] = {}

    def answer(self, lab: LabContext, wire: bytes, max_size: int | None) -> bytes | None:
        if len(wire) < 12:
            return None
        tenant = lab.tenant
        if tenant is not self._tenant:
            self._tenant, self._answers = tenant, {}
        key = (wire[2:], max_size)
        cached = self._answers.get(key)
        if cached is not None:
            return wire[:2] + cached
        reply = respond(lab, wire, max_size)
        if reply is not None and len(reply) >= 12:
            if len(self._answers) >= self.LIMIT:
                self._answers.clear()
            self._answers[key] = reply[2:]
        return reply


def respond(lab: LabContext, wire: bytes, max_size: int | None) -> bytes | None:
    """The wire response to one query packet, or None when the packet is not worth one."""
    try:
        query = dns.message.from_wire(wire)
    except dns.exception.DNSException:
        return _formerr(wire)
    response = dns.message.make_response(query)
    response.flags &= ~dns.flags.AA
    if query.opcode() != dns.opcode.QUERY:
        response.set_rcode(dns.rcode.NOTIMP)
    elif len(query.question) != 1:
        response.set_rcode(dns.rcode.FORMERR)
    elif query.question[0].rdclass != dns.rdataclass.IN:
        response.set_rcode(dns.rcode.REFUSED)
    else:
        question = query.question[0]
        try:
            answer = zone.resolve(lab.tenant, lab.address_of, question.name, question.rdtype)
        except zone.ZoneDataError as exc:
            log.warning("lab DNS: cannot serve tenant data: %s", exc)
            response.set_rcode(dns.rcode.SERVFAIL)
        else:
            response.set_rcode(dns.rcode.from_text(answer.rcode))
            if answer.authoritative:
                response.flags |= dns.flags.AA
            response.answer.extend(answer.answer)
            response.authority.extend(answer.authority)
    limit = max_size
    if limit is not None and query.edns >= 0:
        limit = max(_UDP_DEFAULT_SIZE, query.payload)
    try:
        return response.to_wire(max_size=limit or 65535)
    except dns.exception.TooBig:
        response.flags |= dns.flags.TC
    except dns.exception.DNSException as exc:
        log.warning("lab DNS: cannot encode the answer to %s: %s", query.question, exc)
        response.set_rcode(dns.rcode.SERVFAIL)
    response.answer.clear()
    response.authority.clear()
    response.additional.clear()
    return response.to_wire()


def _formerr(wire: bytes) -> bytes | None:
    """FORMERR echoing the query id, when at least a header arrived."""
    if len(wire) < 12:
        return None
    (qid,) = struct.unpack("!H", wire[:2])
    reply = dns.message.Message(id=qid)
    reply.flags = dns.flags.QR
    reply.set_rcode(dns.rcode.FORMERR)
    return reply.to_wire()


RECEIVE_BUFFER = 4 << 20
"""Bytes of queued queries the UDP socket may hold (asked for; the kernel may cap it).

A fleet that starts at once sends a query per device in the same
millisecond. The kernel's default (about 208 KiB) holds some 270 small
datagrams, each charged about 768 bytes; the rest are dropped and each
such device waits out its resolver timeout (5 s in the shipped profiles)
before it asks again. 4 MiB holds thousands.
"""
DRAIN_LIMIT = 256
"""Datagrams answered per wake-up of the socket, before the loop runs other work again.

asyncio's datagram transport reads one datagram per loop iteration; on a
loop that also carries a thousand TLS sessions, a burst of queries is then
answered at the pace of the loop, not of the work (a memoised answer
costs a few microseconds). A bound keeps one burst from starving the rest.
"""


def widen_receive_buffer(sock: socket.socket, wanted: int = RECEIVE_BUFFER) -> int:
    """Ask for ``wanted`` bytes of receive buffer; the size the kernel granted.

    ``SO_RCVBUF`` is capped by ``net.core.rmem_max``; a lab run with
    CAP_NET_ADMIN may pass the cap with ``SO_RCVBUFFORCE``. Either way a
    smaller buffer only means what the kernel allows, never an error.
    """
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, wanted)
    force = getattr(socket, "SO_RCVBUFFORCE", None)
    if force is not None and sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) < wanted:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, force, wanted)
    return int(sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))


class _UdpServer:
    """Answers UDP queries straight off the socket, many per wake-up.

    Replies are sent with a plain non-blocking ``sendto``: a UDP send does
    not wait for the peer, and on the rare full send buffer the reply is
    dropped exactly as the network may drop it (the client asks again).
    """

    def __init__(self, sock: socket.socket, lab: LabContext, memo: AnswerMemo) -> None:
        self.sock = sock
        self.lab = lab
        self.memo = memo
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(sock.fileno(), self._drain)

    def _drain(self) -> None:
        sock = self.sock
        for _ in range(DRAIN_LIMIT):
            try:
                data, addr = sock.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # an ICMP error reported for an earlier reply
                log.debug("lab DNS: UDP error %s", exc)
                continue
            self._answer(data, addr)

    def _answer(self, data: bytes, addr: tuple[str | int, int]) -> None:
        try:
            reply = self.memo.answer(self.lab, data, _UDP_DEFAULT_SIZE)
        except Exception:  # never let one packet stop the server
            log.exception("lab DNS: unexpected error answering %s", addr)
            return
        if reply is None:
            return
        try:
            self.sock.sendto(reply, addr)
        except OSError as exc:
            log.debug("lab DNS: reply to %s not sent: %s", addr, exc)

    def close(self) -> None:
        if self.sock.fileno() >= 0:
            self._loop.remove_reader(self.sock.fileno())
            self.sock.close()


class LabDns:
    """The ``dns`` service: binds ``lab.address_of("dns")`` on 53 (or per PortPlan)."""

    name = "dns"

    def __init__(self) -> None:
        self._udp: _UdpServer | None = None
        self._tcp: asyncio.Server | None = None
        self._lab: LabContext | None = None
        self._clients: set[asyncio.Task[None]] = set()
        self._memo = AnswerMemo()

    @property
    def address(self) -> tuple[str, int]:
        """(address, port) bound for UDP and TCP."""
        assert self._tcp is not None, "not started"
        host, port = self._tcp.sockets[0].getsockname()[:2]
        return str(host), int(port)

    async def start(self, lab: LabContext) -> None:
        self._lab = lab
        address = lab.address_of("dns")
        wanted = lab.ports.bind_port(53)
        for _ in range(_BIND_ATTEMPTS if wanted == 0 else 1):
            tcp_sock = bind_socket(SERVICE, "", address, wanted, "tcp", show_transport=True)
            port = socket_port(tcp_sock)
            try:
                udp_sock = bind_socket(SERVICE, "", address, port, "udp")
            except LabStartError:
                tcp_sock.close()
                if wanted != 0:
                    raise
                continue  # the ephemeral TCP port is taken for UDP: try another
            break
        else:
            raise LabStartError(SERVICE, "", address, wanted, "has no port free for UDP and TCP")
        try:
            widen_receive_buffer(udp_sock)
            self._tcp = await asyncio.start_server(self._serve_tcp, sock=tcp_sock)
            self._udp = _UdpServer(udp_sock, lab, self._memo)
        except BaseException:
            tcp_sock.close()
            udp_sock.close()
            raise
        lab.endpoints.dns = {"address": address, "port": port}

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
            for task in list(self._clients):
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*self._clients, return_exceptions=True)
            await self._tcp.wait_closed()
        self._udp = self._tcp = None

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._clients.add(task)
        try:
            while True:
                header = await asyncio.wait_for(reader.readexactly(2), TCP_IDLE)
                (length,) = struct.unpack("!H", header)
                wire = await asyncio.wait_for(reader.readexactly(length), TCP_IDLE)
                assert self._lab is not None
                reply = self._memo.answer(self._lab, wire, None)
                if reply is None:
                    break
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            pass
        except Exception:
            log.exception("lab DNS: unexpected error on a TCP connection")
        finally:
            self._clients.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
