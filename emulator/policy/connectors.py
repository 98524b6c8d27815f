"""Inbound connectors: does one of the tenant's connectors admit this client? (Option 3 relay)

Pure. A connector from the organization's own server or device is matched
by the client's public IP (``SenderIPAddresses``) or by a name in the TLS
certificate the client presented (``TlsSenderCertificateName``, matched
against the subject CN and the DNS subject alternative names, a ``*.``
wildcard covering one label). ``RequireTls`` connectors admit only TLS
sessions. A dynamic site never matches by IP in real life ("A dynamic IP
address isn't supported"): here the site's public IP is what it is today,
and the session log notes that the site is dynamic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from exolab.emulator.tenant.model import InboundConnector, Tenant


def certificate_matches(wanted: str, presented: Iterable[str]) -> bool:
    """Whether ``TlsSenderCertificateName`` ``wanted`` matches one of the certificate's names."""
    wanted = wanted.strip().lower().rstrip(".")
    for name in presented:
        name = name.strip().lower().rstrip(".")
        if not name:
            continue
        if name == wanted:
            return True
        if name.startswith("*.") and wanted.partition(".")[2] == name[2:]:
            return True
        if wanted.startswith("*.") and name.partition(".")[2] == wanted[2:]:
            return True
    return False


def admitting_connector(
    tenant: Tenant, public_ip: str, tls: bool, certificate_names: Sequence[str] = ()
) -> InboundConnector | None:
    """The first enabled inbound connector that admits this client, if any."""
    for connector in tenant.inbound_connector:
        if not connector.enabled or (connector.require_tls and not tls):
            continue
        if connector.sender_ip_addresses and connector.admits_ip(public_ip):
            return connector
        name = connector.tls_sender_certificate_name
        if name and tls and certificate_matches(name, certificate_names):
            return connector
    return None
