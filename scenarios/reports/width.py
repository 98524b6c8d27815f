"""Terminal column widths for mixed English and Japanese text.

A terminal gives East Asian wide and fullwidth characters two columns and
combining marks and format characters none, so padding by ``len()``
misaligns every column after a Japanese title or a profile name typed on a
Mac (whose file names arrive decomposed: カ followed by a combining ゛).
"""

from __future__ import annotations

import unicodedata


def char_width(ch: str) -> int:
    """Columns one code point takes: 0 for combining and format characters, 2 for wide."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal."""
    return sum(char_width(ch) for ch in text)


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` display columns (never cut)."""
    return text + " " * max(width - display_width(text), 0)


def clip(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` display columns, with … where it was cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = char_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"
