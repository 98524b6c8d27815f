"""Turning a catalog entry into wire lines, with Exchange's trailers, deterministically.

The front-end names, the trailer ids and the timestamps come from the lab's
seeded ``random.Random`` and its clock, so a replayed scenario produces the
same bytes.

Server names follow Microsoft's pattern: a datacenter code, then the region's
pool (``TY1PR01CA0183.jpnprd01.prod.outlook.com``, ``HE1EUR02FT003.eop-EUR02…``).
The datacenter codes of one name set all belong to its region, so a Tokyo
front end never carries a Dublin code (the codes are the ones public logs show
per region; which codes each region really has is not published: CHOSEN).
Mailbox servers and the tenant's MX sit in the tenant's region
(``Tenant.Region``); a submission front end may be any region's, the one
nearest the device.

The trailer id is a .NET tick count (100 ns since 0001-01-01) in hex. Every
published id decodes to a moment 3 to 42 hours before its own timestamp
(``2023-09-12T20:59:57.214Z 08DBB276B7E699C4`` is 2023-09-11 03:25:16 UTC),
so the lab shows the ticks of the lab clock minus a seeded "uptime" of the
front end in that range: the ids start ``08D…`` like the real ones, grow with
the clock, and repeat for a replayed scenario.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from exolab.emulator.clock import Clock
from exolab.emulator.replies.catalog import CLASSIC_WORDING
from exolab.emulator.replies.echo import one_line
from exolab.emulator.replies.model import Reply, Trailer

_REGIONS = (("NAM", "namprd"), ("EUR", "eurprd"), ("APC", "apcprd"), ("JPN", "jpnprd"))
"""The regions a front end is drawn from (a device reaches the nearest one)."""
_HOME_REGIONS = dict(_REGIONS) | {"IND": "indprd", "CAN": "canprd"}
"""The regions a tenant may live in (``Tenant.Region``): its mailbox servers are there."""

DATACENTERS: dict[str, tuple[str, ...]] = {
    "NAM": ("BN", "CY", "DM", "MN", "SA", "SN", "CH", "BL"),
    "EUR": ("AM", "DB", "HE", "VI", "PA", "FR"),
    "APC": ("SG", "HK", "PS", "SI"),
    "JPN": ("TY", "OS"),
    "IND": ("PN", "MA"),
    "CAN": ("YT", "YQ"),
}
"""Datacenter codes per region, as host names in public logs show them (MN2PR05CA0004.namprd05,
AM0PR02CA0134.eurprd02, HE1EUR02FT003.eop-EUR02, TY1PR01CA0183.jpnprd01, OS0PR01MB6099.jpnprd01,
PN0PR01CA0024.INDPRD01, YT3PR01CA0020)."""

DOTNET_EPOCH = datetime(1, 1, 1, tzinfo=UTC)
UPTIME_TICKS = (3 * 3600 * 10**7, 42 * 3600 * 10**7)
"""The range of the seeded front-end "uptime" the trailer id counts back from (see above)."""


def dotnet_ticks(when: datetime) -> int:
    """100-nanosecond intervals since 0001-01-01T00:00:00 UTC (.NET ``DateTime.Ticks``)."""
    return (when.astimezone(UTC) - DOTNET_EPOCH) // timedelta(microseconds=1) * 10


@dataclass(frozen=True, slots=True)
class FrontEndNames:
    """The server names one lab front end shows: banner host, trailer host, mailbox host."""

    banner_host: str
    trailer_host: str
    mailbox_host: str

    @classmethod
    def submission(cls, rng: random.Random, home: str | None = None) -> FrontEndNames:
        """e.g. AM0PR02CA0134.outlook.office365.com / AM0PR02CA0134.eurprd02.prod.outlook.com.

        The front end is any region's (the device reaches the nearest); the mailbox server
        is in the tenant's ``home`` region when the lab knows it, else the front end's."""
        region, prd = rng.choice(_REGIONS)
        n = rng.randint(1, 9)
        site = rng.choice(DATACENTERS[region])
        machine = f"{site}{rng.randint(0, 9)}PR{n:02d}CA{rng.randint(0, 9999):04d}"
        return cls(
            banner_host=f"{machine}.outlook.office365.com",
            trailer_host=f"{machine}.{prd}{n:02d}.prod.outlook.com",
            mailbox_host=_mailbox_host(rng, *_home(home, region, prd)),
        )

    @classmethod
    def mx(cls, rng: random.Random, home: str | None = None) -> FrontEndNames:
        """e.g. SN1NAM02FT0049.mail.protection.outlook.com / SN1NAM02FT025.eop-nam02.prod.protection.outlook.com.

        The tenant's MX host resolves to EOP in the tenant's ``home`` region, so the front
        end and the mailbox server are both there (any region when the lab does not know it)."""
        region, prd = _home(home, *rng.choice(_REGIONS))
        site = rng.choice(DATACENTERS[region])
        pool = f"{site}{rng.randint(1, 9)}{region}{rng.randint(1, 4):02d}"
        return cls(
            banner_host=f"{pool}FT{rng.randint(0, 9999):04d}.mail.protection.outlook.com",
            trailer_host=f"{pool}FT{rng.randint(0, 999):03d}.eop-{region.lower()}{pool[-2:]}.prod.protection.outlook.com",
            mailbox_host=_mailbox_host(rng, region, prd),
        )


def _home(home: str | None, region: str, prd: str) -> tuple[str, str]:
    """(region, pool prefix) of the tenant's ``home`` if known, else the given pair."""
    key = (home or "").upper()
    return (key, _HOME_REGIONS[key]) if key in _HOME_REGIONS else (region, prd)


def _mailbox_host(rng: random.Random, region: str, prd: str) -> str:
    site = rng.choice(DATACENTERS[region])
    n = rng.randint(1, 9)
    return f"{site}{rng.randint(1, 9)}PR{n:02d}MB{rng.randint(0, 9999):04d}.{prd}{n:02d}.prod.outlook.com"


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc1123(when: datetime) -> str:
    """``Thu, 11 Jul 2024 11:46:42 +0000``: Exchange's banner date (day not zero-padded)."""
    utc = when.astimezone(UTC)
    return (
        f"{_DAYS[utc.weekday()]}, {utc.day} {_MONTHS[utc.month - 1]} {utc.year} "
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d} +0000"
    )


def trailer_stamp(now: datetime) -> str:
    """``2024-07-11T11:46:49.042Z``: ``strftime("%Y-%m-%dT%H:%M:%S.")`` and the milliseconds.

    Written with integer formats: ``strftime`` goes through a time tuple and
    C's ``strftime`` for every reply that carries a trailer.
    """
    return (
        f"{now.year}-{now.month:02d}-{now.day:02d}T"
        f"{now.hour:02d}:{now.minute:02d}:{now.second:02d}.{now.microsecond // 1000:03d}Z"
    )


@dataclass
class Renderer:
    """Renders replies for one front end of one lab."""

    names: FrontEndNames
    clock: Clock
    rng: random.Random
    style: Literal["modern", "classic"] = "modern"
    _uptime: int | None = field(default=None, init=False, repr=False)

    def trailer_id(self, now: datetime) -> str:
        """The trailer's hex id: the .NET ticks of ``now`` less this front end's seeded uptime."""
        if self._uptime is None:
            self._uptime = self.rng.randrange(*UPTIME_TICKS)
        return f"{dotnet_ticks(now) - self._uptime:016X}"

    def trailer(self, kind: Trailer) -> str:
        if kind is Trailer.NONE:
            return ""
        if kind is Trailer.STOREDRV:
            return f" [Hostname={self.names.mailbox_host}]"
        if self.style == "classic":
            return f" [{self.names.trailer_host}]"
        now = self.clock.now()
        return f" [{self.names.trailer_host} {trailer_stamp(now)} {self.trailer_id(now)}]"

    def lines(self, reply: Reply, **params: object) -> list[str]:
        """The wire lines (without CRLF) for ``reply`` with its placeholders filled.

        Every text parameter is made one bounded line first (``echo.one_line``):
        some of them are client text, and no reply may ever span more lines than
        its catalog entry has.
        """
        if self.style == "classic":  # the era also picks the older wording where one is known
            reply = CLASSIC_WORDING.get(reply.id, reply)
        params = _one_line_each(params)
        head = reply.text.format(**params) if params else reply.text
        prefix = f"{reply.code}"
        first = f"{reply.enhanced} {head}" if reply.enhanced else head
        first = (first + self.trailer(reply.trailer)).rstrip() if head or reply.enhanced else ""
        if not reply.lines:
            return [f"{prefix} {first}" if first else f"{prefix} "]
        rest = [line.format(**params) for line in reply.lines]
        body = [first, *rest]
        return [f"{prefix}-{text}" for text in body[:-1]] + [f"{prefix} {body[-1]}"]

    def summary(self, reply: Reply, **params: object) -> str:
        """``535 5.7.139 Authentication unsuccessful, …`` without trailer: for appending to a 530."""
        params = _one_line_each(params)
        head = reply.text.format(**params) if params else reply.text
        return " ".join(str(p) for p in (reply.code, reply.enhanced, head) if p)


def _one_line_each(params: dict[str, object]) -> dict[str, object]:
    return {k: one_line(v) if isinstance(v, str) else v for k, v in params.items()}
