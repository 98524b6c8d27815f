"""Maps every text aiosmtpd would send by itself onto the catalog.

aiosmtpd's command loop still writes a few texts of its own (the greeting,
unknown or unreadable commands, over-long lines, too many bogus commands,
its exception handler). ``ExchangeSMTP.push`` is the only door they can use;
this module says what Exchange would send instead. Nothing aiosmtpd wrote
ever reaches the wire.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

INTERNAL_ERROR_MARKER = "exolab-internal-error"

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
