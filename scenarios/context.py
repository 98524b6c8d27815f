"""The facts an explanation or a report fills its ``{placeholders}`` with, from one place.

The terminal explanation, the HTML report and the console all speak from the
same message catalog; each used to build its own (or no) context, so a
report could print ``ip4:{public_ip}`` where the explanation printed the
address. ``message_context`` gives every placeholder the catalog knows a
value, from the scenario, its tenant and what the run observed.
"""

from __future__ import annotations

from exolab.emulator.tenant import Tenant
from exolab.scenarios.model import Scenario

DEFAULT_SERVER = "smtp.office365.com"


def spf_with(record: str, ip: str) -> str:
    """``record`` with ``ip4:ip`` added after the addresses it already lists.

    The advice must keep what the record allows today (the office's address,
    the includes): a record that replaced them would break the mail that works."""
    mechanism = f"ip{'6' if ':' in ip else '4'}:{ip}"
    terms = record.split()
    if not terms or terms[0].lower() != "v=spf1":
        return f"v=spf1 {mechanism} include:spf.protection.outlook.com -all"
    if mechanism in terms:
        return record
    position = len(terms)
    for index, term in enumerate(terms[1:], start=1):
        if not term.lower().lstrip("+?~-").startswith(("ip4:", "ip6:")):
            position = index
            break
    return " ".join([*terms[:position], mechanism, *terms[position:]])


def spf_record_of(tenant: Tenant, domain: str) -> str:
    """The SPF TXT record the lab DNS serves for ``domain`` ('' when none)."""
    for text in tenant.dns.txt.get(domain.lower(), ()):
        if text.lower().startswith("v=spf1"):
            return text
    return ""


def message_context(
    scenario: Scenario, tenant: Tenant, public_ip: str, tls_version: str = ""
) -> dict[str, str]:
    """A value for every placeholder of the message catalog (except the run's totals)."""
    settings = scenario.device.settings
    sender = settings.sender or settings.username or ""
    domain = sender.rpartition("@")[2] or next(iter(tenant.tenant.accepted_domains), "")
    spf = spf_record_of(tenant, domain)
    return {
        "mailbox": settings.username or settings.sender or "",
        "sender": sender,
        "recipient": ", ".join(scenario.recipients),
        "server": settings.server or DEFAULT_SERVER,
        "port": str(settings.port or ""),
        "site": scenario.device.site or "",
        "public_ip": public_ip,
        "profile": scenario.device.profile,
        "tls_version": tls_version,
        "code": str(scenario.expect.code or ""),
        "enhanced": scenario.expect.enhanced or "",
        "spf_record": spf_with(spf, public_ip) if public_ip else spf,
    }
