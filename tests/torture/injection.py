"""STARTTLS command injection: commands sent in the same packet as STARTTLS must die with it.

Whatever a client pipelines after ``STARTTLS`` arrived in plaintext, before
the handshake; a server that kept it would run it inside the TLS session as
if the client had sent it there (CVE-2011-0411 and its many cousins). Each
endpoint that greets and offers STARTTLS gets every payload. After the
handshake the client sends ``NOOP`` then ``QUIT``: the first answer must be
NOOP's, the second QUIT's. Any other answer first means an injected command
ran. A lab that refuses the handshake or closes instead is safe (counted,
not failed).
"""

from __future__ import annotations

import ssl
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from tests.emulator.smtp.wire import RawClient
from tests.torture.figures import Figures
from tests.torture.served import ServedLab
from tests.torture.wire import BRANCH, OFFICE, Refused, decoded, drain, expect, judge

INJECTIONS: tuple[bytes, ...] = (
    b"RSET\r\n",
    b"NOOP\r\n",
    b"QUIT\r\n",
    b"EHLO injected.example\r\n",
    b"MAIL FROM:<injected@evil.example>\r\n",
    b"AUTH LOGIN\r\n",
    b"HELP\r\n",
    b"RSET\r\nNOOP\r\nRSET\r\n",
)
BANNER_WAIT = 2.0  # a port that greets nobody in this time (465, HTTP) is not an SMTP endpoint


def starttls_endpoints(lab: ServedLab) -> list[tuple[str, int, str, int]]:
    """Every (host, real port, address, bound port) that greets and lists STARTTLS."""

    def offers(item: tuple[str, int, str, int]) -> bool:
        _, _, address, bound = item
        try:
            client = RawClient(address, bound, source=OFFICE, timeout=BANNER_WAIT)
        except OSError:
            return False
        try:
            if not client.reply()[0].startswith("220"):
                return False
            return any(line[4:].upper().startswith("STARTTLS") for line in client.cmd("EHLO mfp"))
        except (OSError, UnicodeDecodeError):
            return False
        finally:
            client.close()

    ports = lab.smtp_ports()
    with ThreadPoolExecutor(len(ports)) as pool:
        found = list(pool.map(offers, ports))
    return [item for item, yes in zip(ports, found, strict=True) if yes]


def _try(
    item: tuple[str, int, str, int], payload: bytes, context: ssl.SSLContext, figures: Figures
) -> str:
    """'clean', 'refused' (handshake refused or connection closed) or 'injected'."""
    host, real, address, bound = item
    where = f"{host}:{real} STARTTLS+{payload!r}"
    client = RawClient(address, bound, source=BRANCH, timeout=10)
    try:
        client.reply()
        expect(client, "EHLO mfp", "250")
        client.send(b"STARTTLS\r\n" + payload)
        ready = client.reply()
        judge(figures, client.lines, where)
        if not ready[0].startswith("220"):
            return "refused"
        if client.buffer:  # a reply to the injected command came before the handshake
            figures.example(f"{where}: answered before TLS: {client.buffer[:80]!r}")
            return "injected"
        try:
            client.sock = context.wrap_socket(client.sock, server_hostname=host)
        except (ssl.SSLError, OSError):
            return "refused"
        seen = len(client.lines)
        client.send(b"NOOP\r\nQUIT\r\n")
        try:
            first = client.reply()
        except (ConnectionError, OSError):
            return "refused"
        rest = decoded(figures, drain(client, 3.0), where)
        judge(figures, [*client.lines[seen:], *rest], where)
        if first[0] != "250 2.0.0 OK" or not rest or not rest[0].startswith("221"):
            figures.example(f"{where}: after TLS: {[*first, *rest][:3]!r}")
            return "injected"
        return "clean"
    finally:
        client.close()


def injection(lab: ServedLab, payloads: Sequence[bytes] = INJECTIONS) -> Figures:
    figures = Figures("starttls-injection")
    context = lab.client_context()
    before = lab.tracebacks()
    endpoints = starttls_endpoints(lab)
    refused = 0
    for item in endpoints:
        for payload in payloads:
            figures.tried += 1
            try:
                outcome = _try(item, payload, context, figures)
            except (Refused, OSError) as exc:
                figures.failed += 1
                figures.example(f"{item[0]}:{item[1]}: {exc}")
                continue
            except UnicodeDecodeError as exc:
                figures.failed += 1
                figures.foreign += 1
                figures.example(f"{item[0]}:{item[1]}: reply is not UTF-8: {exc.object[:80]!r}")
                continue
            if outcome == "injected":
                figures.injected += 1
                figures.failed += 1
            refused += outcome == "refused"
    names = ", ".join(f"{host}:{real}" for host, real, _, _ in endpoints)
    figures.notes.append(f"endpoints offering STARTTLS: {names}")
    if refused:
        figures.notes.append(f"{refused} handshakes refused or closed (safe)")
    figures.crashes += lab.tracebacks() - before + (0 if lab.alive() else 1)
    return figures
