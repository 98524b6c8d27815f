"""The header fields the service writes on a message it accepts, as text.

One ``Received:`` writer for both front ends (``received``: the hop from
the client to the Exchange front end that took the message), and the block
Exchange Online Protection stamps on inbound mail, which is what an
administrator inspects in a received message (anti-spam message headers
doc, https://learn.microsoft.com/en-us/defender-office-365/message-headers-eop-mdo):
``Received-SPF``, ``Authentication-Results``,
``X-MS-Exchange-Organization-SCL``, ``X-Forefront-Antispam-Report``,
``X-Microsoft-Antispam``, ``X-MS-Exchange-Organization-AuthAs`` and
``-AuthSource``. They travel as ``Placement.prepend_headers`` so the body
is never copied.

Client text (the HELO name, addresses) goes through ``header_text`` (the
reply echo's ``one_line``) before it is written, so it can never break a
field or start a new one. The inputs are plain values, not policy types:
policy decides and calls these writers, the way a verdict names a reply
and the renderer writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from exolab.emulator.replies.echo import one_line
from exolab.emulator.replies.render import rfc1123

Header = tuple[str, str]
EXCHANGE_BUILD = "15.20.8722.16"
"""The ``id`` in Received: a 2025 Exchange Online build number (CHOSEN, any plausible one)."""
AUTHSERV = "protection.outlook.com"

_IANA_CIPHERS = {
    "ECDHE-RSA-AES256-GCM-SHA384": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-RSA-AES128-GCM-SHA256": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-ECDSA-AES128-GCM-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "AES256-GCM-SHA384": "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "AES128-GCM-SHA256": "TLS_RSA_WITH_AES_128_GCM_SHA256",
}


def header_text(text: str | None, empty: str = "unknown") -> str:
    """Client text made safe for one header field (``empty`` when nothing is left)."""
    return one_line(text or "").strip() or empty


@dataclass(frozen=True)
class Hop:
    """The hop a ``Received:`` field records: who handed the message to which front end."""

    helo: str | None
    """The name the client gave in HELO/EHLO (client text)."""
    client_ip: str
    """The public IP the service saw."""
    by_host: str
    """The Exchange front end that accepted the message (trailer host)."""
    when: datetime
    by_ip: str | None = None
    """The front end's internal address, when the front end shows one."""
    tls_version: str | None = None
    """``TLSv1.2`` as ssl reports it, or None for plaintext."""
    cipher: str | None = None
    """The OpenSSL cipher name ssl reports; written with its IANA name."""


def received(hop: Hop) -> Header:
    """``Received:`` as an Exchange Online front end writes it (both submission and MX)."""
    tls = ""
    if hop.tls_version:
        version = hop.tls_version.replace("TLSv", "TLS").replace(".", "_")
        if version == "TLS1":
            version = "TLS1_0"
        cipher = _IANA_CIPHERS.get(hop.cipher or "", hop.cipher or "")
        tls = f" (version={version}, cipher={cipher})"
    by_ip = f" ({hop.by_ip})" if hop.by_ip else ""
    return (
        "Received",
        f"from {header_text(hop.helo)} ({hop.client_ip}) by {hop.by_host}{by_ip} "
        f"with Microsoft SMTP Server{tls} id {EXCHANGE_BUILD} via Frontend Transport; "
        f"{rfc1123(hop.when)}",
    )


@dataclass(frozen=True)
class Stamp:
    """Everything the EOP header block needs for one message, as the words it writes."""

    hop: Hop
    spf: str
    """pass, fail, softfail, neutral, none, temperror or permerror."""
    spf_domain: str
    """The domain SPF checked: ``smtp.mailfrom``."""
    dmarc: str
    dmarc_action: str
    header_from: str | None
    compauth: str
    compauth_reason: str
    scl: int
    sfv: str
    """NSPM, SPM or SKI."""
    cat: str
    """NONE, SPM, HSPM or SPOOF."""
    auth_as: str = "Anonymous"
    """Anonymous, Internal (OnPremises connector) or Partner (Partner connector)."""


def received_spf(stamp: Stamp) -> Header:
    ip, domain = stamp.hop.client_ip, header_text(stamp.spf_domain)
    comment = {
        "pass": f"domain of {domain} designates {ip} as permitted sender",
        "fail": f"domain of {domain} does not designate {ip} as permitted sender",
        "softfail": f"domain of transitioning {domain} discourages use of {ip} as permitted sender",
        "neutral": f"{ip} is neither permitted nor denied by domain of {domain}",
        "none": f"{domain} does not designate permitted sender hosts",
        "temperror": f"error in processing during lookup of {domain}: DNS Timeout",
        "permerror": f"domain of {domain} used an invalid SPF mechanism",
    }[stamp.spf]
    word = {"softfail": "SoftFail", "temperror": "TempError", "permerror": "PermError"}.get(
        stamp.spf, stamp.spf.capitalize()
    )
    helo = header_text(stamp.hop.helo)
    return (
        "Received-SPF",
        f"{word} ({AUTHSERV}: {comment}) receiver={AUTHSERV}; client-ip={ip}; helo={helo};",
    )


def authentication_results(stamp: Stamp) -> Header:
    mailfrom = header_text(stamp.spf_domain)
    header_from = header_text(stamp.header_from)
    return (
        "Authentication-Results",
        f"spf={stamp.spf} (sender IP is {stamp.hop.client_ip}) smtp.mailfrom={mailfrom}; "
        f"dkim=none (message not signed) header.d=none;"
        f"dmarc={stamp.dmarc} action={stamp.dmarc_action} header.from={header_from};"
        f"compauth={stamp.compauth} reason={stamp.compauth_reason}",
    )


def antispam_report(stamp: Stamp) -> Header:
    helo = header_text(stamp.hop.helo, "").replace(";", " ") or "unknown"
    fields = [
        ("CIP", stamp.hop.client_ip),
        ("CTRY", ""),
        ("LANG", "en"),
        ("SCL", str(stamp.scl)),
        ("SRV", ""),
        ("IPV", "NLI"),
        ("SFV", stamp.sfv),
        ("H", helo),
        ("PTR", "InfoNoRecords"),
        ("CAT", stamp.cat),
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
        ("X-MS-Exchange-Organization-AuthSource", stamp.hop.by_host),
        ("X-MS-Exchange-Organization-AuthAs", stamp.auth_as),
        ("X-MS-Exchange-Organization-SCL", str(stamp.scl)),
        antispam_report(stamp),
        ("X-Microsoft-Antispam", "BCL:0;"),
        received(stamp.hop),
    )
