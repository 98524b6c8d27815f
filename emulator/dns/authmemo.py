"""What SPF and DMARC said for a message, kept for the next message that asks the same.

A site's printers send from one public IP, with one sender and one HELO, all
day: each message asked the lab DNS the same questions and pyspf worked the
same answers into the same result (about 0.8 ms of CPU a message across the
MX, its DNS server and the SPF helper, a third of a direct send session).
Exchange Online's resolvers cache too, for the record's TTL.

The lab's rule is stricter than a TTL: a DNS edit shows in the next message.
So, like the lab DNS's own ``AnswerMemo``, the memo belongs to one tenant
object. The lab DNS answers from the tenant alone, and the tenant is frozen
(every edit, by ``--set``, the API, the console or a cmdlet, swaps in a new
object), so the first check after an edit finds another object and starts
afresh. Only settled answers are kept: a temperror (a lookup that timed out
or failed) is asked again next time, as a real sender's retry would. The key
holds what the client sent (sender, HELO, header From domain), so the memo
is bounded and starts afresh when full.
"""

from __future__ import annotations

from exolab.emulator.dns.senderauth import DnsFacts

MemoKey = tuple[str, str, str, str | None]
"""(public IP, MAIL FROM, HELO, header From domain): everything a check depends on."""


class SenderAuthMemo:
    """SPF results and DMARC records by what was asked, for the tenant object now in the lab."""

    LIMIT = 1024

    def __init__(self) -> None:
        self._tenant: object | None = None
        self._facts: dict[MemoKey, DnsFacts] = {}

    def __len__(self) -> int:
        return len(self._facts)

    def get(self, tenant: object, key: MemoKey) -> DnsFacts | None:
        """The facts a check gave for ``key`` under this very ``tenant``, or None."""
        if tenant is not self._tenant:
            self._tenant, self._facts = tenant, {}
            return None
        return self._facts.get(key)

    def put(self, tenant: object, key: MemoKey, facts: DnsFacts) -> None:
        """Keep ``facts``, found under ``tenant``, unless the tenant has changed meanwhile or
        the answer is not settled (a temperror for SPF or the DMARC lookup)."""
        if tenant is not self._tenant or facts.spf.result == "temperror" or facts.dmarc_error:
            return
        if len(self._facts) >= self.LIMIT:
            self._facts.clear()
        self._facts[key] = facts
