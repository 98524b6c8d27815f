"""A fault rule's ``Reply`` as a catalog entry.

``4.7.500`` names the catalog entry with that enhanced code (a fault entry
first, since several entries may share a code); ``fault.server_busy`` names
an entry by id; ``451 4.7.500 Server busy …`` is a whole line, said as
written through the catalog's ``fault.custom`` entry, so that it is still
rendered (and bounded) the way every other reply is.
"""

from __future__ import annotations

import re
from dataclasses import replace

from exolab.emulator.replies import Reply, catalog

_ENHANCED = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")
_LINE = re.compile(r"^([245]\d\d)(?:[ -]([245]\.\d{1,3}\.\d{1,3}))?(?:\s+(.*))?$")
MAX_LINE = 512
"""RFC 5321's reply-line limit: a longer rule text is refused, not cut."""


class FaultReplyError(ValueError):
    """A rule's ``Reply`` names nothing in the catalog and is not a reply line."""


def resolve_reply(text: str) -> Reply:
    """The catalog entry ``text`` names, or a ``fault.custom`` entry that says it."""
    wanted = text.strip()
    if _ENHANCED.match(wanted):
        return _by_enhanced(wanted)
    if not wanted[:1].isdigit():
        try:
            return catalog.by_id(wanted)
        except KeyError:
            raise FaultReplyError(f"no catalog reply with id {wanted!r}") from None
    return _line(wanted)


def _by_enhanced(code: str) -> Reply:
    found = [r for r in catalog.all_replies() if r.enhanced == code and r.id != "fault.custom"]
    faults = [r for r in found if r.id.startswith("fault.")]
    if faults:
        return faults[0]
    if len(found) == 1:
        return found[0]
    if not found:
        raise FaultReplyError(
            f"no catalog reply has enhanced code {code}; give a whole reply line instead"
        )
    ids = ", ".join(r.id for r in found)
    raise FaultReplyError(f"enhanced code {code} is several catalog replies ({ids}): name one")


def _line(text: str) -> Reply:
    if len(text) > MAX_LINE or any(c in text for c in "\r\n"):
        raise FaultReplyError(f"a reply line is one line of at most {MAX_LINE} characters")
    match = _LINE.match(text)
    if match is None:
        raise FaultReplyError(
            f"{text!r} is neither an enhanced code (4.7.500), a catalog id, nor a reply line "
            "(code, enhanced code, text)"
        )
    code, enhanced, rest = int(match[1]), match[2], (match[3] or "").strip()
    if enhanced is not None and enhanced[0] != match[1][0]:
        raise FaultReplyError(f"enhanced code {enhanced} does not match reply code {code}")
    safe = rest.replace("{", "{{").replace("}", "}}")
    return replace(catalog.FAULT_CUSTOM, code=code, enhanced=enhanced, text=safe)
