"""Reading what an API caller sent: record ids and the ``tenant/set`` body, bounded.

Client input is hostile: an id is a whole number SQLite can hold (a larger
one, or 5,000 digits, is a 400, not an overflow deep in the store), and the
JSON body is parsed with a cap on nesting, since Python's JSON decoder
recurses once per ``[`` or ``{`` and a deep enough document exhausts the stack.
"""

from __future__ import annotations

import json
from typing import Any

MAX_ID = 2**63 - 1
"""The largest SQLite INTEGER: every stored id is at most this."""

MAX_DEPTH = 32
"""Nesting allowed in a JSON body; ``{"set": [...]}`` needs two."""


class BadInput(ValueError):
    """What the caller sent cannot be read; the message says what was expected."""


def parse_id(text: str) -> int:
    """A record id from the path: ASCII digits, at most ``MAX_ID``."""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        raise BadInput(f"an id is a whole number from 0 to {MAX_ID}")
    value = int(text)
    if value > MAX_ID:
        raise BadInput(f"an id is a whole number from 0 to {MAX_ID}")
    return value


def _depth(body: bytes) -> int:
    """How deeply arrays and objects nest, counting only brackets outside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def parse_json(body: bytes) -> Any:
    """The JSON document in ``body`` (UTF-8), nested at most ``MAX_DEPTH`` deep."""
    if _depth(body) > MAX_DEPTH:
        raise BadInput(f"the JSON body nests deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise BadInput('expected a JSON body like {"set": ["Key=Value"]}') from None


def parse_set_body(body: bytes) -> list[str]:
    """The ``set`` list of ``{"set": ["Key=Value", ...]}``."""
    document = parse_json(body)
    items = document.get("set") if isinstance(document, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise BadInput('expected "set": a list of "Key=Value" strings')
    return items
