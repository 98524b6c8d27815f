"""Stage names: the one vocabulary results, transcripts and scenario files share.

A stage says where a session ended ("rejected at RCPT"). The strings are a
contract (the ``--json`` ``stage`` field, ``expect.stage`` in scenario files),
so they are spelled here once. The client machine's states are translated to
them in one place, ``devices.client.states.stage_of``; the driver's own phases
before a session exists (resolving the server, checking the job) are stages
without a machine state.
"""

from __future__ import annotations

from typing import Literal, get_args

Stage = Literal[
    "DNS", "CONNECT", "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "EOD", "QUIT", "JOB"
]
STAGES: tuple[Stage, ...] = get_args(Stage)
