"""The header fields Exchange Online Protection stamps on inbound mail, as text.

These are what an administrator inspects in a received message (anti-spam
message headers doc, exo-behaviour.md 4.4): ``Received`` (with the public IP
and the MX front end), ``Received-SPF``, ``Authentication-Results``,
``X-MS-Exchange-Organization-SCL``, ``X-Forefront-Antispam-Report``,
``X-Microsoft-Antispam``, ``X-MS-Exchange-Organization-AuthAs`` and
``-AuthSource``. They travel as ``Placement.prepend_headers`` so the body
is never copied. Client-supplied text (HELO, addresses) is cleaned of
control characters so it cannot break a header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from exolab.emulator.policy.authresults import Compauth, DmarcResult, SpfResult
from exolab.emulator.policy.spam import SpamVerdict
from exolab.emulator.replies.render import rfc1123

Header = tuple[str, str]
EXCHANGE_BUILD = "15.20.8722.16"
"""The ``id`` in Received: a 2025 Exchange Online build number (CHOSEN, any plausible one)."""
AUTHSERV = "protection.outlook.com"

_UNSAFE = re.compile(r"[\x00-\x1f\x7f]+")
_IANA_CIPHERS = {
    "ECDHE-RSA-AES256-GCM-SHA384": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-RSA-AES128-GCM-SHA256": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-ECDSA-AES128-GCM-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "AES256-GCM-SHA384": "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "AES128-GCM-SHA256": "TLS_RSA_WITH_AES_128_GCM_SHA256",
}


def clean(text: str, limit: int = 255) -> str:
    """Client text made safe for one header line."""
    return _UNSAFE.sub(" ", text).strip()[:limit]


@dataclass(frozen=True)
class Stamp:
    """Everything the stamped headers need for one message."""

    helo: str
    public_ip: str
    frontend_host: str
    """The EOP front end that accepted the mail (trailer host)."""
    frontend_ip: str
    when: datetime
    spf: SpfResult
    dmarc: DmarcResult
    compauth: Compauth
    verdict: SpamVerdict
    auth_as: Literal["Anonymous", "Internal", "Partner"] = "Anonymous"
    tls_version: str | None = None
    """``TLSv1.2`` as ssl reports it, or None for plaintext."""
    cipher: str | None = None


def received(stamp: Stamp) -> Header:
    helo = clean(stamp.helo) or "unknown"
    tls = ""
    if stamp.tls_version:
        version = stamp.tls_version.replace("TLSv", "TLS").replace(".", "_")
        cipher = _IANA_CIPHERS.get(stamp.cipher or "", stamp.cipher or "")
        tls = f" (version={version}, cipher={cipher})"
    return (
        "Received",
        f"from {helo} ({stamp.public_ip}) by {stamp.frontend_host} ({stamp.frontend_ip}) "
        f"with Microsoft SMTP Server{tls} id {EXCHANGE_BUILD} via Frontend Transport; "
        f"{rfc1123(stamp.when)}",
    )


def received_spf(stamp: Stamp) -> Header:
    spf, ip, domain = stamp.spf, stamp.public_ip, clean(stamp.spf.domain) or "unknown"
    comment = {
        "pass": f"domain of {domain} designates {ip} as permitted sender",
        "fail": f"domain of {domain} does not designate {ip} as permitted sender",
        "softfail": f"domain of transitioning {domain} discourages use of {ip} as permitted sender",
        "neutral": f"{ip} is neither permitted nor denied by domain of {domain}",
        "none": f"{domain} does not designate permitted sender hosts",
        "temperror": f"error in processing during lookup of {domain}: DNS Timeout",
        "permerror": f"domain of {domain} used an invalid SPF mechanism",
    }[spf.result]
    word = {"softfail": "SoftFail", "temperror": "TempError", "permerror": "PermError"}.get(
        spf.result, spf.result.capitalize()
    )
    helo = clean(stamp.helo) or "unknown"
    return (
        "Received-SPF",
        f"{word} ({AUTHSERV}: {comment}) receiver={AUTHSERV}; client-ip={ip}; helo={helo};",
    )


def authentication_results(stamp: Stamp) -> Header:
    spf, dmarc, compauth = stamp.spf, stamp.dmarc, stamp.compauth
    mailfrom = clean(spf.domain) or "unknown"
    header_from = clean(dmarc.header_from or "") or "unknown"
    return (
        "Authentication-Results",
        f"spf={spf.result} (sender IP is {stamp.public_ip}) smtp.mailfrom={mailfrom}; "
        f"dkim=none (message not signed) header.d=none;"
        f"dmarc={dmarc.result} action={dmarc.action} header.from={header_from};"
        f"compauth={compauth.result} reason={compauth.reason}",
    )


def antispam_report(stamp: Stamp) -> Header:
    v = stamp.verdict
    helo = clean(stamp.helo).replace(";", " ") or "unknown"
    fields = [
        ("CIP", stamp.public_ip),
        ("CTRY", ""),
        ("LANG", "en"),
        ("SCL", str(v.scl)),
        ("SRV", ""),
        ("IPV", "NLI"),
        ("SFV", v.sfv),
        ("H", helo),
        ("PTR", "InfoNoRecords"),
        ("CAT", v.cat),
        ("SFS", ""),
        ("DIR", "INB"),
        ("SFTY", ""),
    ]
    return ("X-Forefront-Antispam-Report", "".join(f"{k}:{val};" for k, val in fields))


def inbound_headers(stamp: Stamp) -> tuple[Header, ...]:
    """The stamped block, top to bottom as it appears above the message's own headers."""
    return (
        authentication_results(stamp),
        received_spf(stamp),
        ("X-MS-Exchange-Organization-AuthSource", stamp.frontend_host),
        ("X-MS-Exchange-Organization-AuthAs", stamp.auth_as),
        ("X-MS-Exchange-Organization-SCL", str(stamp.verdict.scl)),
        antispam_report(stamp),
        ("X-Microsoft-Antispam", "BCL:0;"),
        received(stamp),
    )
