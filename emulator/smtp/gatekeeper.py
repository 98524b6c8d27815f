"""Maps every text aiosmtpd would send or log by itself onto what the lab allows.

aiosmtpd's command loop still writes a few texts of its own (the greeting,
unknown or unreadable commands, over-long lines, too many bogus commands,
its exception handler). ``ExchangeSMTP.push`` is the only door they can use;
this module says what Exchange would send instead. Nothing aiosmtpd wrote
ever reaches the wire.

aiosmtpd also logs each command line it reads (up to 32 KB of client text,
AUTH answers included) and a warning for each unknown one. Those records are
dropped: the session transcript already holds every line, redacted where it
carries a secret. What the lab logs about a session goes through
``SessionLog``: client text bounded and escaped, and a budget of lines per
session, so one hostile client cannot flood the log.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

INTERNAL_ERROR_MARKER = "exolab-internal-error"
LOG_TEXT_LIMIT = 200
"""Characters of client text one log line may quote (after escaping)."""
LOG_LINES_PER_SESSION = 20
"""Log lines one session may write; then one line says the rest are suppressed."""
AIOSMTPD_LOGGER = "mail.log"

Kind = Literal["banner", "unknown", "too_many_errors", "internal"]
_NOT_RECOGNIZED = re.compile(r'^500 Error: command "(?P<verb>[^"]*)" not recognized$')


@dataclass(frozen=True, slots=True)
class Translation:
    kind: Kind
    verb: str = "unknown"
    original: str = ""


def translate(text: str, greeted: bool) -> Translation:
    """What a built-in aiosmtpd text stands for."""
    if not greeted and text.startswith("220 "):
        return Translation("banner", original=text)
    match = _NOT_RECOGNIZED.match(text)
    if match:
        verb = match["verb"]
        printable = verb.isascii() and verb.isprintable() and 0 < len(verb) <= 64
        return Translation("unknown", verb if printable else "unknown", text)
    if text.startswith(("500 Command line too long", "500 Error: bad syntax", "500 Error: strict")):
        return Translation("unknown", "unknown", text)
    if text.startswith("502") and "Too many unrecognized" in text:
        return Translation("too_many_errors", original=text)
    return Translation("internal", original=text)


def _text(text: str | bytes) -> str:
    return text.decode("utf-8", "surrogateescape") if isinstance(text, bytes) else text


def bounded(text: str | bytes, limit: int = LOG_TEXT_LIMIT) -> str:
    """Client text fit for one log line: control and non-ASCII characters escaped, cut at ``limit``."""
    text = _text(text)
    escaped = ascii(text[: limit + 1])[1:-1]
    if len(text) <= limit and len(escaped) <= limit:
        return escaped
    return f"{escaped[:limit]}... ({len(text)} chars)"


class _DropClientChatter(logging.Filter):
    """aiosmtpd's per-line records quote client text unbounded: keep only its errors, bounded."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return False
        record.msg, record.args = bounded(record.getMessage(), 4 * LOG_TEXT_LIMIT), None
        return True


_GATE = _DropClientChatter()


def gate_aiosmtpd_log() -> None:
    """Install the filter on aiosmtpd's logger (once; further calls do nothing)."""
    logger = logging.getLogger(AIOSMTPD_LOGGER)
    if _GATE not in logger.filters:
        logger.addFilter(_GATE)


class SessionLog:
    """One session's log lines: client text bounded, at most ``budget`` lines, then one notice."""

    def __init__(
        self,
        logger: logging.Logger,
        session: str,
        budget: int = LOG_LINES_PER_SESSION,
        scrub: Callable[[str], str] = str,
    ):
        self._logger = logger
        self._session = session
        self._budget = budget
        self._scrub = scrub  # cuts the session's credentials out of client text
        self.suppressed = 0

    def log(
        self,
        level: int,
        message: str,
        *client_text: str | bytes,
        exc_info: BaseException | None = None,
    ) -> None:
        """``message`` with one ``%s`` per piece of ``client_text`` (each bounded)."""
        if self._budget <= 0:
            self.suppressed += 1
            return
        self._budget -= 1
        args = tuple(bounded(self._scrub(_text(t))) for t in client_text)
        self._logger.log(level, "session %s: " + message, self._session, *args, exc_info=exc_info)
        if self._budget == 0:
            self._logger.log(
                level, "session %s: further log lines of this session are suppressed", self._session
            )
