"""Random input, seeded: every line the lab answers must be a catalog reply, and the lab lives.

Each session picks a front end and a state to start from (plaintext on each
SMTP port, after STARTTLS on the MX, after STARTTLS and AUTH on submission),
then sends a seeded random mix of the suite's command list, random lines,
random binary blobs and a small corpus of known-hostile sequences (invalid
UTF-8 addresses, folded or CR-carrying Message-IDs, CR inside EHLO,
credentials pipelined after a refused AUTH). A reply line that is not the
catalog's, carries a control character or echoes a credential is foreign.
Every few sessions a fresh connection must still be greeted on each front
end. Afterwards the store is read: a header value the lab added (Received,
…) that carries a control character is an injected header, and a
credential in a stored transcript or in the log is a leak.
"""

from __future__ import annotations

import base64
import random
import re
import ssl
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from tests.emulator.smtp.wire import VERBS, RawClient
from tests.torture.figures import Figures
from tests.torture.served import ServedLab
from tests.torture.wire import (
    MX,
    PASSWORD,
    SUBMISSION,
    Refused,
    decoded,
    drain,
    expect,
    foreign,
    mx_session,
    submission_session,
)

CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # a header value is one line; TAB may stay
SOURCES = ("127.20.0.10", "127.20.0.20", "127.20.7.7")
SECRETS = (PASSWORD, base64.b64encode(PASSWORD.encode()).decode())
ENVELOPE = b"MAIL FROM:<scanner@contoso.com>\r\nRCPT TO:<alice@contoso.com>\r\n"
HOSTILE: tuple[bytes, ...] = (
    b"MAIL FROM:<\xff@contoso.com>\r\nRCPT TO:<alice@contoso.com>\r\nDATA\r\nSubject: x\r\n\r\nx\r\n.\r\n",
    b"MAIL FROM:<scanner@contoso.com> SMTPUTF8\r\nRCPT TO:<\xc3\x28@contoso.com>\r\n",
    ENVELOPE + b"DATA\r\nMessage-ID:\r\n <folded@contoso.com>\r\nSubject: f\r\n\r\nx\r\n.\r\n",
    ENVELOPE + b"DATA\r\nMessage-ID: <a\rb@contoso.com>\r\nSubject: cr\r\n\r\nx\r\n.\r\n",
    ENVELOPE + b"DATA\r\nMessage-ID: <a\x00\x1b[2Jb@contoso.com>\r\n\r\nx\r\n.\r\n",
    ENVELOPE + b"BDAT 44 LAST\r\nMessage-ID:\r\n <folded-bdat@contoso.com>\r\n\r\n",
    b"EHLO evil.example\rX-Injected: yes\r\n",
    b"EHLO evil.example\rX-Injected: yes\r\n" + ENVELOPE + b"DATA\r\nSubject: e\r\n\r\nx\r\n.\r\n",
    b"HELO \xff\xfe\x00evil\r\n",
    b"AUTH LOGIN\r\nc2Nhbm5lckBjb250b3NvLmNvbQ==\r\n" + SECRETS[1].encode() + b"\r\n",
    b"AUTH LOGIN " + SECRETS[1].encode() + b"\r\n" + SECRETS[1].encode() + b"\r\n",
    b"AUTH PLAIN " + base64.b64encode(b"\0scanner@contoso.com\0" + PASSWORD.encode()) + b"\r\n",
    b"MAIL FROM:<" + b"a" * 5000 + b"@contoso.com>\r\n",
    b"RCPT TO:<alice@contoso.com>\r\n" * 50,
    b"BDAT 99999999999999999999 LAST\r\n",
    b"BDAT 0\r\nBDAT 0 LAST\r\n",
    b"DATA\r\n.\r\n",
)


@dataclass(frozen=True)
class Start:
    """Where a session begins: a front end, and how far the handshake goes before the noise."""

    name: str
    open: Callable[[ServedLab, ssl.SSLContext, str], RawClient]


def _plain(host: str, port: int) -> Callable[[ServedLab, ssl.SSLContext, str], RawClient]:
    def open_(lab: ServedLab, context: ssl.SSLContext, source: str) -> RawClient:
        address, bound = lab.endpoint(host, port)
        client = RawClient(address, bound, source=source, timeout=10)
        client.reply()
        return client

    return open_


def _mx_tls(lab: ServedLab, context: ssl.SSLContext, source: str) -> RawClient:
    client = mx_session(lab, source=source)
    if not client.starttls(context, MX)[0].startswith("220"):
        client.close()
        raise Refused("STARTTLS on the MX")
    expect(client, "EHLO mfp", "250")
    return client


def _authed(lab: ServedLab, context: ssl.SSLContext, source: str) -> RawClient:
    return submission_session(lab, context, source=source)


STARTS = (
    Start("submission:587", _plain(SUBMISSION, 587)),
    Start("submission:25", _plain(SUBMISSION, 25)),
    Start("legacy:587", _plain("smtp-legacy.office365.com", 587)),
    Start("mx:25", _plain(MX, 25)),
    Start("mx:25+tls", _mx_tls),
    Start("submission:587+auth", _authed),
)


def noise(rng: random.Random) -> list[bytes]:
    """One session's input: 1 to 12 pieces."""
    out = []
    for _ in range(rng.randint(1, 12)):
        kind = rng.random()
        if kind < 0.4:
            out.append(rng.choice(VERBS).encode() + b"\r\n")
        elif kind < 0.6:
            line = rng.randbytes(rng.randint(0, 300)).replace(b"\n", b"")
            out.append(line + b"\r\n")
        elif kind < 0.75:
            out.append(rng.randbytes(rng.randint(1, 3000)))
        else:
            out.append(rng.choice(HOSTILE))
    return out


def _leaks(line: str) -> bool:
    return any(secret in line for secret in SECRETS)


def _session(lab: ServedLab, context: ssl.SSLContext, seed: int, figures: Figures) -> bool:
    """One random session; True when every line it got back was the catalog's."""
    rng = random.Random(seed)
    start = rng.choice(STARTS)
    where = f"fuzz seed {seed} at {start.name}"
    try:
        client = start.open(lab, context, rng.choice(SOURCES))
    except (Refused, OSError) as exc:
        figures.example(f"{where}: could not start: {exc}")
        return False
    bad = 0
    try:
        try:
            for piece in noise(rng):
                client.send(piece)
            client.send(b"\r\n.\r\nQUIT\r\n")
        except OSError:
            pass  # the lab closed the session (QUIT in the noise, too many errors)
        lines = [*client.lines, *decoded(figures, drain(client, 3.0), where)]
    except UnicodeDecodeError as exc:
        figures.example(f"{where}: reply is not UTF-8: {exc.object[:80]!r}")
        return False
    finally:
        client.close()
    for line in lines:
        reason = foreign(line) or ("a credential echoed" if _leaks(line) else None)
        if reason is not None:
            bad += 1
            figures.example(f"{where}: {reason}: {line!r}")
    with _LOCK:
        figures.foreign += bad
    return bad == 0


_LOCK = threading.Lock()


def still_greeted(lab: ServedLab) -> bool:
    for host, port in ((SUBMISSION, 587), (MX, 25)):
        address, bound = lab.endpoint(host, port)
        try:
            client = RawClient(address, bound, source="127.20.0.30", timeout=10)
        except OSError:
            return False
        try:
            if not client.reply()[0].startswith("220 "):
                return False
        except (OSError, UnicodeDecodeError):
            return False
        finally:
            client.close()
    return True


def fuzz(lab: ServedLab, sessions: int, seed: int, workers: int = 8, batch: int = 100) -> Figures:
    figures = Figures("fuzz")
    context = lab.client_context()
    before_tb, before_log = lab.tracebacks(), lab.log_lines()
    not_greeted = 0
    with ThreadPoolExecutor(workers) as pool:
        for first in range(0, sessions, batch):
            seeds = [seed * 1_000_003 + n for n in range(first, min(first + batch, sessions))]
            results = list(pool.map(lambda s: _session(lab, context, s, figures), seeds))
            figures.tried += len(results)
            figures.failed += results.count(False)
            if not (lab.alive() and still_greeted(lab)):
                not_greeted += 1
                if not lab.alive():
                    break
    figures.crashes += lab.tracebacks() - before_tb + not_greeted
    for value in lab.header_values():
        if CONTROL.search(value):
            figures.injected += 1  # client text reached a header with its line breaks
            figures.example(f"stored header value with a control character: {value[:120]!r}")
    figures.leaks += lab.mentions(SECRETS)
    figures.notes.append(
        f"seed {seed}; {lab.log_lines() - before_log} lab log lines for {figures.tried} sessions"
    )
    return figures
