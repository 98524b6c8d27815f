"""What a catalog entry is. Texts live only in ``catalog.py``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    CONNECT = "CONNECT"
    EHLO = "EHLO"
    STARTTLS = "STARTTLS"
    AUTH = "AUTH"
    MAIL = "MAIL"
    RCPT = "RCPT"
    DATA = "DATA"
    EOD = "EOD"
    ANY = "ANY"


class Certainty(StrEnum):
    CONFIRMED = "CONFIRMED"
    """Stated by Microsoft or seen verbatim in a real transcript."""
    LIKELY = "LIKELY"
    """Secondhand, or inferred from a confirmed fact."""
    CHOSEN = "CHOSEN"
    """No public source: exolab's most plausible choice, configurable where it matters."""


class Trailer(StrEnum):
    NONE = "none"
    FRONTEND = "frontend"
    """``[HOST 2024-07-11T11:46:49.042Z 08DCA18218166FB4]`` (modern) or ``[HOST]`` (classic)."""
    STOREDRV = "storedrv"
    """``[Hostname=DM5SPR00MB2471.namprd08.prod.outlook.com]``: the mailbox server."""


@dataclass(frozen=True, slots=True)
class Reply:
    """One reply exolab can send: the wire text template and where it comes from.

    ``text`` may hold ``{placeholders}`` filled at render time. ``lines`` holds
    the continuation lines of a multi-line reply (EHLO). ``close`` means the
    server drops the connection after sending it.
    """

    id: str
    code: int
    enhanced: str | None
    text: str
    stage: Stage
    source: str
    certainty: Certainty
    trailer: Trailer = Trailer.NONE
    lines: tuple[str, ...] = ()
    close: bool = False
    note: str = ""
    class_conflict: bool = False
    """The published text pairs a code with an enhanced code of another class (``550 4.4.4``):
    reproduced as published, the note says so."""

    def __post_init__(self) -> None:
        if self.class_conflict:
            return
        if self.enhanced is not None and self.enhanced[0] != str(self.code)[0]:
            raise ValueError(f"{self.id}: enhanced code {self.enhanced} does not match {self.code}")


@dataclass(frozen=True, slots=True)
class Gap:
    """A published Exchange Online behaviour the lab does not reproduce, and why.

    The catalog lists these beside its entries so that a reader of the generated reply
    reference sees what is missing on purpose, not only what is there. ``reply`` is the
    published line (code, enhanced code, text) or the behaviour in a few words.
    """

    reply: str
    source: str
    certainty: Certainty
    reason: str
