"""How long each stage of a send took, read from its transcript.

The transcript's times come from the device's injected clock (its monotonic
source), one per line as sent or received, so the waits can be read back
without a hook in the client: each command line waits for the next final
reply (SMTP answers in order, pipelined or not). ``connect`` runs from the
connect note to the banner (TCP and the 220 together: the client notes no
moment in between); ``tls`` from the 220 to STARTTLS to the handshake's end;
``auth`` from the AUTH command to its last reply (every 334 round included).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from exolab.devices.result import TranscriptLine

STAGES = (
    "dns",
    "connect",
    "ehlo",
    "starttls",
    "tls",
    "auth",
    "mail",
    "rcpt",
    "data",
    "eod",
    "quit",
)
"""The stages timed, in session order."""

_VERBS = {
    "EHLO": "ehlo",
    "HELO": "ehlo",
    "STARTTLS": "starttls",
    "MAIL": "mail",
    "RCPT": "rcpt",
    "DATA": "data",
    ".": "eod",
    "QUIT": "quit",
}


def _final(line: str) -> int | None:
    """The code of a final reply line (``250 …``), None for a continuation or other text."""
    head = line[:4]
    if len(head) >= 3 and head[:3].isdigit() and (len(head) == 3 or head[3] == " "):
        return int(head[:3])
    return None


def stage_times(lines: Iterable[TranscriptLine]) -> dict[str, list[float]]:
    """Seconds each stage took in one send (every attempt), keyed by ``STAGES`` names."""
    times: dict[str, list[float]] = {}
    waiting: deque[tuple[str, float]] = deque()
    marks: dict[str, float] = {}

    def took(stage: str, since: float, now: float) -> None:
        times.setdefault(stage, []).append(round(max(0.0, now - since), 3))

    for line in lines:
        text = line.line
        if line.dir == "*":
            if text.startswith("resolve "):
                marks["dns"] = line.t
            elif text.startswith("connect ") and not text.startswith("connect failed"):
                if "dns" in marks:
                    took("dns", marks.pop("dns"), line.t)
                marks["connect"] = line.t
                waiting.clear()
            elif text.startswith(("TLS established", "TLS handshake failed")) and "tls" in marks:
                took("tls", marks.pop("tls"), line.t)
        elif line.dir == "C":
            if text.startswith("<message"):
                continue  # the body: its wait is the "." line's
            verb = text.split(" ", 1)[0].upper()
            if "auth" in marks:
                stage = "auth"  # a 334 round's answer
            elif verb == "AUTH":
                marks["auth"] = line.t
                stage = "auth"
            else:
                stage = _VERBS.get(verb, "other")
            waiting.append((stage, line.t))
        else:
            code = _final(text)
            if code is None:
                continue
            if "connect" in marks:
                took("connect", marks.pop("connect"), line.t)
                continue
            if not waiting:
                continue
            stage, since = waiting.popleft()
            if stage == "auth":
                if code != 334:
                    took("auth", marks.pop("auth", since), line.t)
            elif stage != "other":
                took(stage, since, line.t)
                if stage == "starttls" and code == 220:
                    marks["tls"] = line.t
    return times
