"""Client text repeated back to the client or written into a header: one bounded line.

Some of what a client sends comes back: the Message-ID in the 250 after
DATA, a From address in a refusal, the HELO name in the ``Received:`` and
anti-spam header fields the service adds. A CR or LF in such text would
split a reply (a pipelining client takes the second half for the answer to
its next command) or start a header field of the client's choosing; NUL and
other control characters confuse whatever parses the result. Every echo goes
through ``one_line`` so that no front end, reply or header can forget it.
"""

from __future__ import annotations

import re

ECHO_LIMIT = 255
"""The most characters of client text echoed at once: a Message-ID or an address fits
(RFC 5321 4.5.3.1.3 allows 256 octets in a path), and a reply line stays under the
512 octets of RFC 5321 4.5.3.1.5."""

_FOLD = re.compile(r"\r?\n(?=[ \t])")
"""A header line break before whitespace (RFC 5322 2.2.3 folding)."""


def one_line(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` unfolded, each run of non-printable characters made one space, cut to ``limit``.

    Non-printable is ``str.isprintable``'s meaning: control characters (CR,
    LF, NUL, TAB, DEL, C1), line and paragraph separators, format characters
    and unpaired surrogates; letters of every script stay. Text that is already
    one short printable line comes back unchanged, so ordinary replies keep
    their exact bytes.
    """
    if len(text) <= limit and text.isprintable():
        return text
    out: list[str] = []
    gap = False
    for char in _FOLD.sub("", text[: limit * 8]):  # never walk a megabyte for 255 characters
        if char.isprintable():
            out.append(char)
            gap = False
        elif not gap:
            out.append(" ")
            gap = True
        if len(out) >= limit:
            break
    return "".join(out)
