"""Scripted failures: which fault rule fires at a point of a session (pure, seeded).

``match`` says whether a rule applies to a point of a session; ``book``
keeps each rule's counters and seeded random stream and decides whether it
fires; ``replies`` turns a rule's ``Reply`` into a catalog entry; ``alert``
builds the record a ``tls_alert`` fault sends. Nothing
here does I/O: the SMTP adapter (``emulator.smtp.faults``) carries out what
was decided.
"""

from exolab.emulator.faults.alert import ALERT_CODES, RECORD_HEADER, alert_record, hello_length
from exolab.emulator.faults.book import FaultBook, Fired
from exolab.emulator.faults.match import FaultPoint, matches
from exolab.emulator.faults.replies import FaultReplyError, resolve_reply

__all__ = [
    "ALERT_CODES",
    "RECORD_HEADER",
    "FaultBook",
    "FaultPoint",
    "FaultReplyError",
    "Fired",
    "alert_record",
    "hello_length",
    "matches",
    "resolve_reply",
]
