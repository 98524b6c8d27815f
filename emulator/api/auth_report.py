"""The SMTP AUTH clients report, as administrators know it from the Exchange admin center.

Reports > Mail flow > SMTP AUTH clients
(https://learn.microsoft.com/en-us/exchange/monitoring/mail-flow-reports/mfr-smtp-auth-clients-report)
lists, per sender, the domain, the share of messages sent over TLS 1.0,
1.1 and 1.2, and the messages sent; since October 2024 it also says which
authentication protocol each sender used, Basic or OAuth (MC786329,
https://techcommunity.microsoft.com/t5/exchange-team-blog/exchange-online-to-retire-basic-auth-for-client-submission-smtp/ba-p/4114750).
Administrators use it to find the devices that still sign in with Basic
authentication, so the lab computes the same columns from its session
records, plus what a trainer needs to point at a device: sign-ins by
protocol, every TLS version seen (TLS 1.3 too, which the lab offers and
the admin center's columns predate), and when the sender was first and
last seen.

One pure function over ``SessionRecord`` values (no store, no I/O), so the
API, the console and ``exolab sessions --auth-report`` show the same rows.
A row's text is client input (the user name a device signed in with), so
it is made printable (raw bytes as ``\\xNN``, as every listing does) and the
CSV form neutralises cells a spreadsheet would read as a formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from exolab.emulator.store import SessionRecord
from exolab.emulator.store.views import shown

SUBMISSION_HOSTS = ("smtp.office365.com", "smtp-legacy.office365.com")
"""The report covers SMTP AUTH client submission; HVE and ACS have their own reports."""

BASIC = ("LOGIN", "PLAIN")
OAUTH = ("XOAUTH2",)
TLS_COLUMNS = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
"""``ssl`` names, in the order the report's columns show them."""
TLS_LABELS = {"TLSv1": "TLS 1.0", "TLSv1.1": "TLS 1.1", "TLSv1.2": "TLS 1.2", "TLSv1.3": "TLS 1.3"}

_DELIVERED = re.compile(r"\bdelivered (\d+) message")
"""How a session's outcome counts the messages it handed over (also when a fault lost the 250)."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet reads a cell starting with one of these as a formula (OWASP: CSV injection)."""


@dataclass
class AuthClientRow:
    """One sender (the identity a device signed in as) over the sessions in the report."""

    sender: str
    basic_sign_ins: int = 0
    oauth_sign_ins: int = 0
    messages: int = 0
    tls_sign_ins: dict[str, int] = field(default_factory=dict)
    tls_messages: dict[str, int] = field(default_factory=dict)
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    @property
    def domain(self) -> str:
        return self.sender.rpartition("@")[2] if "@" in self.sender else ""

    @property
    def protocol(self) -> str:
        """``Basic``, ``OAuth``, or both, as the report's Authentication Protocol column."""
        used = [
            name
            for name, n in (("Basic", self.basic_sign_ins), ("OAuth", self.oauth_sign_ins))
            if n
        ]
        return ", ".join(used)

    def tls_percent(self, version: str) -> int:
        """The share of this sender's messages sent over ``version`` (whole percent, as the EAC)."""
        if not self.messages:
            return 0
        return round(100 * self.tls_messages.get(version, 0) / self.messages)

    def as_json(self) -> dict[str, Any]:
        return {
            "sender": self.sender,
            "domain": self.domain,
            "protocol": self.protocol,
            "basic_sign_ins": self.basic_sign_ins,
            "oauth_sign_ins": self.oauth_sign_ins,
            "tls_versions": sorted(self.tls_sign_ins, key=_tls_order),
            "tls_sign_ins": dict(sorted(self.tls_sign_ins.items(), key=lambda i: _tls_order(i[0]))),
            "tls_percent": {TLS_LABELS[v]: self.tls_percent(v) for v in TLS_COLUMNS},
            "messages": self.messages,
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
        }


def _tls_order(version: str) -> tuple[int, str]:
    return (TLS_COLUMNS.index(version) if version in TLS_COLUMNS else len(TLS_COLUMNS), version)


def messages_sent(record: SessionRecord) -> int:
    """Messages the session handed over, as its outcome counts them."""
    found = _DELIVERED.search(record.outcome)
    return int(found[1]) if found else 0


def auth_clients_report(
    sessions: Iterable[SessionRecord], hosts: tuple[str, ...] = SUBMISSION_HOSTS
) -> list[AuthClientRow]:
    """One row per sender that signed in on ``hosts``, most messages first, then by address.

    A session counts when a sign-in succeeded (it has an identity and a
    mechanism); a refused AUTH sends nothing and the admin center does not
    list it either.
    """
    rows: dict[str, AuthClientRow] = {}
    for record in sessions:
        if record.endpoint not in hosts or not record.identity or not record.auth_method:
            continue
        # a tenant address once signed in, but kept printable whatever a store holds
        sender = shown(record.identity.lower())
        row = rows.setdefault(sender, AuthClientRow(sender))
        mechanism = record.auth_method.upper()
        if mechanism in OAUTH:
            row.oauth_sign_ins += 1
        else:  # LOGIN and PLAIN are Basic authentication, as is anything not a token
            row.basic_sign_ins += 1
        sent = messages_sent(record)
        row.messages += sent
        version = record.tls_version or "none"
        row.tls_sign_ins[version] = row.tls_sign_ins.get(version, 0) + 1
        row.tls_messages[version] = row.tls_messages.get(version, 0) + sent
        if row.first_seen is None or record.started_at < row.first_seen:
            row.first_seen = record.started_at
        if row.last_seen is None or record.started_at > row.last_seen:
            row.last_seen = record.started_at
    return sorted(rows.values(), key=lambda r: (-r.messages, r.sender))


CSV_HEADER = (
    "Sender address",
    "Domain",
    "Authentication protocol",
    "Basic sign-ins",
    "OAuth sign-ins",
    *(f"{TLS_LABELS[v]} (%)" for v in TLS_COLUMNS),
    "TLS versions",
    "Messages sent",
    "First seen",
    "Last seen",
)


def safe_cell(value: object) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text, never runs as a formula."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def report_csv(rows: Iterable[AuthClientRow]) -> str:
    """The report as CSV (RFC 4180, CRLF line ends, header first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        shape = row.as_json()
        writer.writerow(
            safe_cell(v)
            for v in (
                shape["sender"],
                shape["domain"],
                shape["protocol"],
                shape["basic_sign_ins"],
                shape["oauth_sign_ins"],
                *shape["tls_percent"].values(),
                " ".join(TLS_LABELS.get(v, v) for v in shape["tls_versions"]),
                shape["messages"],
                shape["first_seen"] or "",
                shape["last_seen"] or "",
            )
        )
    return out.getvalue()
