"""Which Microsoft endpoint a conversation looks like: by name (DNS answers, SNI) or by banner."""

from __future__ import annotations

from exolab.scenarios.doctor.conversation import Conversation

SUBMISSION = "smtp.office365.com"
LEGACY = "smtp-legacy.office365.com"
KNOWN = {
    SUBMISSION: "client submission (SMTP AUTH)",
    LEGACY: "legacy-TLS client submission",
    "smtp.hve.mx.microsoft": "High Volume Email",
    "smtp-hve.office365.com": "High Volume Email",
    "smtp.azurecomm.net": "Azure Communication Services SMTP relay",
}
MX_SUFFIX = ".mail.protection.outlook.com"


def names_of(conv: Conversation, dns_names: dict[str, set[str]]) -> list[str]:
    names = set(dns_names.get(conv.server[0], set()))
    hello = conv.tls.client_hello if conv.tls else None
    if hello is not None and hello.sni:
        names.add(hello.sni.lower())
    return sorted(names)


def names_mail_host(conv: Conversation, dns_names: dict[str, set[str]]) -> bool:
    """The client asked for a Microsoft mail host by name (SNI, or the DNS answer it connected to)."""
    return any(n in KNOWN or n.endswith(MX_SUFFIX) for n in names_of(conv, dns_names))


def identify(conv: Conversation, dns_names: dict[str, set[str]]) -> tuple[str | None, str]:
    """(the Microsoft host name it looks like or None, how it was told)."""
    names = names_of(conv, dns_names)
    for name in names:
        if name in KNOWN or name.endswith(MX_SUFFIX):
            return name, "dns or sni"
    banner = (conv.banner or "").lower()
    if "microsoft esmtp mail service" in banner:
        host = banner[4:].split(" ", 1)[0]
        if host in KNOWN or host.endswith(MX_SUFFIX):
            return host, "banner"
        if conv.server[1] == 25 and "protection.outlook.com" in host:
            return "<tenant>" + MX_SUFFIX, "banner"
        return (SUBMISSION if conv.server[1] != 25 or "office365" in host else None), "banner"
    return None, "unknown"


def is_submission(host: str | None, port: int) -> bool:
    if host is None:
        return port in (587, 465)
    return host in KNOWN


def is_mx(host: str | None, port: int) -> bool:
    if host is None:
        return False
    return host.endswith(MX_SUFFIX)


def tenant_domain_of_mx(host: str | None) -> str | None:
    """contoso-com.mail.protection.outlook.com -> contoso.com (the MX name's documented shape)."""
    if host is None or not host.endswith(MX_SUFFIX) or host.startswith("<"):
        return None
    label = host[: -len(MX_SUFFIX)]
    head, _, tld = label.rpartition("-")
    return f"{head}.{tld}" if head else None
