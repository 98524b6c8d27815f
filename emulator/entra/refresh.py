"""Refresh tokens: opaque handles the token service remembers, with Entra's inactivity rule.

Entra's refresh tokens are opaque to clients; the lab keeps each one's grant
(client, user, scopes) in memory with when it was issued and last used. A
redeemed refresh token yields a new one and stays usable itself (Entra does
not revoke on rotation). ``MaxInactiveTime`` and ``MaxAgeMultiFactor`` come
from the tenant's TokenLifetimePolicy. A restarted lab forgets them: the
device must sign in again, as after a real revocation.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta

_ALPHABET = string.ascii_letters + string.digits + "-_."


@dataclass
class RefreshGrant:
    token: str
    client_id: str
    user: str
    scopes: tuple[str, ...]
    issued: datetime
    last_used: datetime


@dataclass
class RefreshStore:
    rng: random.Random
    grants: dict[str, RefreshGrant] = field(default_factory=dict)

    def issue(
        self,
        client_id: str,
        user: str,
        scopes: tuple[str, ...],
        now: datetime,
        family_issued: datetime | None = None,
    ) -> RefreshGrant:
        token = "1.AQ" + "".join(self.rng.choice(_ALPHABET) for _ in range(180))
        grant = RefreshGrant(token, client_id, user, scopes, family_issued or now, now)
        self.grants[token] = grant
        return grant

    def find(self, token: str) -> RefreshGrant | None:
        return self.grants.get(token)

    @staticmethod
    def inactive_for(grant: RefreshGrant, now: datetime) -> timedelta:
        return now - grant.last_used
