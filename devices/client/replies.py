"""SMTP replies as the firmware reads them: an incremental, multi-line reply parser.

Feed bytes in any chunking; complete replies come out. Lines may end in CRLF
or a bare LF (both are seen from real servers). Anything that is not
``DDD[ -]text`` raises ``RemoteProtocolError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from exolab.devices.errors import RemoteProtocolError

MAX_LINE = 65536  # longer than any sane reply line; guards against a flood without newline
_LINE = re.compile(rb"^([2-5][0-9][0-9])([ -]?)(.*)$", re.DOTALL)
_ENHANCED = re.compile(r"^([245]\.[0-9]{1,3}\.[0-9]{1,3})(?: |$)")


@dataclass(frozen=True)
class Reply:
    """One complete reply: the code, its enhanced status code (if any) and the text lines."""

    code: int
    lines: tuple[str, ...]

    @property
    def enhanced(self) -> str | None:
        m = _ENHANCED.match(self.lines[0]) if self.lines else None
        return m.group(1) if m else None

    @property
    def text(self) -> str:
        """The text without the enhanced code, lines joined by newlines."""
        out = []
        for line in self.lines:
            m = _ENHANCED.match(line)
            out.append(line[m.end() :] if m else line)
        return "\n".join(out)

    @property
    def wire_lines(self) -> tuple[str, ...]:
        """The lines as they appeared on the wire (code, separator, text)."""
        last = len(self.lines) - 1
        return tuple(
            f"{self.code}{' ' if i == last else '-'}{line}" for i, line in enumerate(self.lines)
        )

    @property
    def positive(self) -> bool:
        return 200 <= self.code < 400

    @property
    def transient(self) -> bool:
        return 400 <= self.code < 500

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "enhanced": self.enhanced, "text": self.text}


class ReplyParser:
    """Accumulates bytes; ``feed`` returns the replies completed by them."""

    def __init__(self) -> None:
        self._buffer = b""
        self._code: int | None = None
        self._lines: list[str] = []

    @property
    def pending(self) -> bool:
        """True while a reply is half-read (a continuation line was seen)."""
        return bool(self._buffer) or self._code is not None

    def feed(self, data: bytes) -> list[Reply]:
        self._buffer += data
        replies: list[Reply] = []
        while True:
            nl = self._buffer.find(b"\n")
            if nl < 0:
                if len(self._buffer) > MAX_LINE:
                    raise RemoteProtocolError(f"reply line longer than {MAX_LINE} bytes")
                return replies
            raw, self._buffer = self._buffer[:nl], self._buffer[nl + 1 :]
            reply = self._line(raw[:-1] if raw.endswith(b"\r") else raw)
            if reply is not None:
                replies.append(reply)

    def _line(self, raw: bytes) -> Reply | None:
        m = _LINE.match(raw)
        if m is None or (m.group(2) == b"" and m.group(3) != b""):
            raise RemoteProtocolError(f"not an SMTP reply line: {raw[:80]!r}")
        code = int(m.group(1))
        if self._code is not None and code != self._code:
            raise RemoteProtocolError(
                f"reply code changed inside a multi-line reply: {self._code} then {code}"
            )
        self._code = code
        self._lines.append(m.group(3).decode("utf-8", errors="replace"))
        if m.group(2) == b"-":
            return None
        reply = Reply(code, tuple(self._lines))
        self._code, self._lines = None, []
        return reply
