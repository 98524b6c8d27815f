"""The lab CA and the one place that builds every server-side SSLContext.

One trustme CA per data directory, kept on disk (PEM and DER) so that a real
device can import it and a restarted lab keeps the same trust. TLS 1.0 and
1.1 really negotiate where a rule needs them: only then is OpenSSL's
security level lowered.
"""

from __future__ import annotations

import ssl
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization

TLS_VERSIONS: dict[str, ssl.TLSVersion] = {
    "1.0": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}


@dataclass
class LabCA:
    """The lab's certificate authority and the leaf certificates it issued."""

    directory: Path
    _ca: trustme.CA = field(init=False)
    _leaves: dict[tuple[str, ...], trustme.LeafCert] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        cert_path, key_path = self.directory / "ca.pem", self.directory / "ca-key.pem"
        if cert_path.exists() and key_path.exists():
            self._ca = trustme.CA.from_pem(cert_path.read_bytes(), key_path.read_bytes())
        else:
            self._ca = trustme.CA(organization_name="exolab", organization_unit_name="lab CA")
            key_path.write_bytes(self._ca.private_key_pem.bytes())
            key_path.chmod(0o600)
            cert_path.write_bytes(self._ca.cert_pem.bytes())
        der = x509.load_pem_x509_certificate(cert_path.read_bytes()).public_bytes(
            serialization.Encoding.DER
        )
        (self.directory / "ca.der").write_bytes(der)

    @property
    def pem_path(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def der_path(self) -> Path:
        return self.directory / "ca.der"

    def leaf(self, *names: str) -> trustme.LeafCert:
        if names not in self._leaves:
            self._leaves[names] = self._ca.issue_cert(*names)
        return self._leaves[names]

    def server_context(
        self, names: tuple[str, ...], minimum: str = "1.2", maximum: str = "1.3"
    ) -> ssl.SSLContext:
        """A server context for ``names`` that negotiates ``minimum``..``maximum``."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.leaf(*names).configure_cert(context)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = TLS_VERSIONS[minimum]
            context.maximum_version = TLS_VERSIONS[maximum]
        if TLS_VERSIONS[minimum] < ssl.TLSVersion.TLSv1_2:
            # OpenSSL 3 refuses TLS 1.0/1.1 (SHA-1 signatures) above level 0.
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts the lab CA (lab tools and tests)."""
        context = ssl.create_default_context(cafile=str(self.pem_path))
        return context
