"""The decisions, sans-IO: named rules from facts to verdicts, in stated orders per stage.

One module per rule family (sequence, tls, auth, retirement, sender,
limits); ``submission`` states the restriction lists of the client
submission endpoints. No sockets and no asyncio here.
"""

from exolab.emulator.policy.facts import (
    AuthCommand,
    Credentials,
    DataCommand,
    EndOfData,
    MailCommand,
    RcptCommand,
    SessionFacts,
)
from exolab.emulator.policy.verdict import Rule, Verdict, evaluate

__all__ = [
    "AuthCommand",
    "Credentials",
    "DataCommand",
    "EndOfData",
    "MailCommand",
    "RcptCommand",
    "Rule",
    "SessionFacts",
    "Verdict",
    "evaluate",
]
