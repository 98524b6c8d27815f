"""Slowloris: idle and dripping connections held open next to a normal client.

Attackers come from one site (the branch) and hold connections to the
submission and MX front ends: some idle after the banner, some dripping a
command line, some dripping a DATA body one byte per tick. Meanwhile a
normal client from another site (the office) sends whole messages one after
another, alternating submission and direct send. What counts is the normal
client: its success rate and its 95th-percentile time per message. How many
attackers the lab cut off is reported.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from dataclasses import dataclass, field

from tests.torture.figures import Figures
from tests.torture.served import ServedLab
from tests.torture.wire import (
    BRANCH,
    INBOX,
    MX,
    MX_RCPT,
    SUBMISSION,
    USER,
    Refused,
    expect,
    judge,
    message,
    mx_session,
    submission_session,
)

TICK = 0.5  # seconds between two drips
PACE = 0.1  # the normal client's pause between two messages: a device, not a flood


@dataclass
class Horde:
    """The attackers' sockets and what happened to them (one thread drives them all)."""

    sockets: list[tuple[str, socket.socket]] = field(default_factory=list)
    cut_off: int = 0
    refused: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def open(self, lab: ServedLab, count: int) -> None:
        kinds = ("idle", "drip-command", "drip-data")
        for n in range(count):
            kind = kinds[n % len(kinds)]
            host, port = (SUBMISSION, 587) if n % 2 else (MX, 25)
            if kind == "drip-data":
                host, port = MX, 25
            address, bound = lab.endpoint(host, port)
            try:
                sock = socket.create_connection((address, bound), 10, source_address=(BRANCH, 0))
            except OSError:
                self.refused += 1
                continue
            sock.setblocking(False)
            if kind == "drip-command":
                self._send(sock, b"EHLO ")
            elif kind == "drip-data":
                self._send(sock, b"EHLO slow\r\n" + f"MAIL FROM:<{USER}>\r\n".encode())
                self._send(sock, f"RCPT TO:<{MX_RCPT}>\r\nDATA\r\nSubject: slow\r\n".encode())
            self.sockets.append((kind, sock))

    @staticmethod
    def _send(sock: socket.socket, data: bytes) -> bool:
        try:
            sock.send(data)
            return True
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            return False

    def run(self, seconds: float) -> None:
        """Drip one byte per tick on every dripping socket until told to stop or time is up."""
        deadline = time.monotonic() + seconds
        alive = list(self.sockets)
        while alive and not self.stop.wait(TICK) and time.monotonic() < deadline:
            still = []
            for kind, sock in alive:
                if self._closed_by_server(sock) or (kind != "idle" and not self._send(sock, b"x")):
                    self.cut_off += 1
                    continue
                still.append((kind, sock))
            alive = still

    @staticmethod
    def _closed_by_server(sock: socket.socket) -> bool:
        try:
            while True:  # throw away what the server said; EOF means it hung up
                if sock.recv(65536) == b"":
                    return True
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            return True

    def close(self) -> None:
        for _, sock in self.sockets:
            sock.close()


def _normal_message(lab: ServedLab, context: ssl.SSLContext, n: int, figures: Figures) -> bool:
    token = f"NORMAL{n:05d}"
    submission = n % 2 == 0
    rcpt = INBOX if submission else MX_RCPT
    where = f"normal client, {'submission' if submission else 'direct send'} #{n}"
    client = submission_session(lab, context) if submission else mx_session(lab)
    try:
        expect(client, f"MAIL FROM:<{USER}>", "250")
        expect(client, f"RCPT TO:<{rcpt}>", "250")
        expect(client, "DATA", "354")
        client.send(message(token, USER, rcpt, filler=20) + b".\r\n")
        ok = client.reply()[-1].startswith("250")
        client.cmd("QUIT")
        judge(figures, client.lines, where)
        return ok
    finally:
        client.close()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def slowloris(lab: ServedLab, attackers: int, seconds: float, messages: int = 1000) -> Figures:
    """Hold ``attackers`` for ``seconds`` while the normal client sends (at most ``messages``)."""
    figures = Figures("slowloris")
    context = lab.client_context()
    before = lab.tracebacks()
    horde = Horde()
    horde.open(lab, attackers)
    dripper = threading.Thread(target=horde.run, args=(seconds + 30,), daemon=True)
    dripper.start()
    took: list[float] = []
    ok = 0
    deadline = time.monotonic() + seconds
    try:
        for n in range(messages):
            if time.monotonic() > deadline:
                break
            figures.tried += 1
            began = time.monotonic()
            try:
                if _normal_message(lab, context, n, figures):
                    ok += 1
                    took.append(time.monotonic() - began)
                else:
                    figures.example(f"normal message #{n} was refused")
            except (Refused, OSError) as exc:
                figures.example(f"normal message #{n}: {exc}")
            except UnicodeDecodeError as exc:
                figures.foreign += 1
                figures.example(f"normal message #{n}: reply is not UTF-8: {exc.object[:80]!r}")
            horde.stop.wait(PACE)
    finally:
        horde.stop.set()
        dripper.join(30)
        horde.close()
    figures.failed = figures.tried - ok
    rate = 100.0 * ok / figures.tried if figures.tried else 0.0
    figures.notes.append(
        f"{len(horde.sockets)} attackers held ({horde.refused} refused at connect, "
        f"{horde.cut_off} cut off by the lab); normal client {ok}/{figures.tried} "
        f"({rate:.0f}%), p95 {percentile(took, 0.95) * 1000:.0f} ms, "
        f"max {max(took, default=0.0) * 1000:.0f} ms"
    )
    figures.crashes += lab.tracebacks() - before + (0 if lab.alive() else 1)
    return figures
