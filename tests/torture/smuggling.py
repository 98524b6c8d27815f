"""SMTP smuggling: twelve end-of-data look-alikes, each followed by a pipelined second message.

Only ``CRLF.CRLF`` ends a DATA body. Each attempt sends a message whose body
holds one look-alike and then, in the same stream, the commands and body of
a second message (``MAIL FROM``, ``RCPT TO``, ``DATA`` or ``BDAT``). A lab
that took the look-alike for the end would store that second message on its
own: a stored body that carries the smuggled token but not the outer one is
a split. Every combination runs on both front ends (submission after
STARTTLS and AUTH, direct send to the MX), with DATA and with BDAT, the
bytes written whole or cut before or inside the look-alike (the server's
reader sees a different packet boundary each time).
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass

from tests.emulator.smtp.wire import RawClient
from tests.torture.figures import Figures
from tests.torture.served import ServedLab
from tests.torture.wire import (
    INBOX,
    MX_RCPT,
    USER,
    Refused,
    decoded,
    drain,
    expect,
    judge,
    message,
    mx_session,
    submission_session,
)

VARIANTS: tuple[bytes, ...] = (
    b"\n.\n",
    b"\r.\r",
    b"\r.\n",
    b"\n.\r",
    b"\n.\r\n",
    b"\r\n.\n",
    b"\r.\r\n",
    b"\r\n.\r",
    b"\r\n\x00.\r\n",
    b"\r\n.\x00\r\n",
    b"\r\n.\r\r\n",
    b"\r\r\n.\r\r\n",
)
FRONT_ENDS = ("submission", "mx")
MODES = ("DATA", "BDAT")
CUTS = ("whole", "before", "inside")
PAUSE = 0.05  # lets the server read the first piece on its own before the rest arrives


@dataclass(frozen=True)
class Attempt:
    number: int
    variant: bytes
    front_end: str
    mode: str
    cut: str

    @property
    def outer(self) -> str:
        return f"SMUGGLE{self.number:04d}OUTER"

    @property
    def inner(self) -> str:
        return f"SMUGGLE{self.number:04d}INNER"

    def rcpt(self) -> str:
        return INBOX if self.front_end == "submission" else MX_RCPT

    def pieces(self) -> tuple[bytes, list[bytes]]:
        """The command that opens the body, and the body's bytes cut as ``cut`` says."""
        outer = message(self.outer, USER, self.rcpt()).rstrip(b"\r\n")
        inner = message(self.inner, USER, self.rcpt())
        envelope = f"MAIL FROM:<{USER}>\r\nRCPT TO:<{self.rcpt()}>\r\n".encode()
        if self.mode == "DATA":
            smuggled = envelope + b"DATA\r\n" + inner + b".\r\n"
            payload = outer + self.variant + smuggled
            opener = b"DATA\r\n"
        else:
            smuggled = envelope + b"BDAT %d LAST\r\n" % len(inner) + inner
            payload = outer + self.variant + smuggled
            opener = b"BDAT %d LAST\r\n" % len(payload)
        at = len(outer) + {"whole": 0, "before": 0, "inside": len(self.variant) // 2}[self.cut]
        if self.cut == "whole":
            return opener, [payload]
        return opener, [payload[:at], payload[at:]]


def attempts(cuts: Sequence[str] = CUTS, variants: Sequence[bytes] = VARIANTS) -> list[Attempt]:
    out: list[Attempt] = []
    for front_end in FRONT_ENDS:
        for mode in MODES:
            for cut in cuts:
                for variant in variants:
                    out.append(Attempt(len(out), variant, front_end, mode, cut))
    return out


def _send(lab: ServedLab, context: ssl.SSLContext, attempt: Attempt, figures: Figures) -> None:
    where = f"{attempt.front_end} {attempt.mode} {attempt.variant!r} {attempt.cut}"
    client: RawClient = (
        submission_session(lab, context) if attempt.front_end == "submission" else mx_session(lab)
    )
    try:
        client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        expect(client, f"MAIL FROM:<{USER}>", "250")
        expect(client, f"RCPT TO:<{attempt.rcpt()}>", "250")
        opener, pieces = attempt.pieces()
        if attempt.mode == "DATA":
            expect(client, opener.decode().strip(), "354")
            first = True
        else:
            pieces = [opener + pieces[0], *pieces[1:]]
            first = True
        for piece in pieces:
            if not first:
                time.sleep(PAUSE)
            client.sock.sendall(piece)
            first = False
        client.sock.sendall(b"QUIT\r\n")
        tail = decoded(figures, drain(client, 5.0), where)
        judge(figures, [*client.lines, *tail], where)
    finally:
        client.close()


def smuggling(lab: ServedLab, tries: Sequence[Attempt]) -> Figures:
    figures = Figures("smuggling")
    context = lab.client_context()
    before = lab.tracebacks()
    failed: set[int] = set()
    for attempt in tries:
        figures.tried += 1
        foreign_before = figures.foreign
        try:
            _send(lab, context, attempt, figures)
        except (Refused, OSError, ConnectionError) as exc:
            failed.add(attempt.number)
            figures.example(f"attempt {attempt.number}: {exc}")
        except UnicodeDecodeError as exc:
            failed.add(attempt.number)
            figures.foreign += 1
            figures.example(f"attempt {attempt.number}: reply is not UTF-8: {exc.object[:80]!r}")
        if figures.foreign != foreign_before:
            failed.add(attempt.number)
    bodies = lab.bodies()
    intact = 0
    for attempt in tries:
        outer, inner = attempt.outer.encode(), attempt.inner.encode()
        for body in bodies:
            if inner in body and outer not in body:
                figures.split += 1
                failed.add(attempt.number)
                figures.example(
                    f"split: {attempt.front_end} {attempt.mode} {attempt.variant!r} "
                    f"{attempt.cut}: stored {body[:60]!r}"
                )
            elif outer in body and inner in body:
                intact += 1
    figures.failed = len(failed)
    figures.crashes += lab.tracebacks() - before + (0 if lab.alive() else 1)
    figures.notes.append(
        f"{intact} of {len(tries)} stored whole (look-alike and smuggled text inside one body)"
    )
    return figures
