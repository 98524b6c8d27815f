"""The lab CA and the one place that builds every server-side SSLContext.

Each host presents a certificate shaped like the one Microsoft presents
(docs/guide/tls-identity.md lists the sources): an RSA 2048 leaf signed with
sha256WithRSAEncryption by one intermediate, itself signed by the lab root;
the server sends leaf + intermediate, never the root, as Microsoft does. A
device's TLS stack from 2010 must be able to parse every certificate, so the
keys are RSA (devices that only offer RSA key exchange need an RSA leaf) and
every date is a UTCTime (before 2050).

The root and the intermediate are kept in the data directory (``ca.pem`` and
``ca.der`` hold the root: the files a device imports) so a restarted lab keeps
the same trust. Leaves are issued in memory at start, valid for about a year
around the lab's date, as Microsoft's are. A process that starts many labs
from one CA (the scenario runner, a test suite) issues each leaf once: a leaf
is fully decided by its issuer, its validity window and its names.

TLS 1.0 and 1.1 really negotiate where a front end needs them: only then is
OpenSSL's security level lowered (OpenSSL 3 refuses SHA-1 and TLS < 1.2 above
``@SECLEVEL=0``).

A server context is configured once per leaf and settings and then shared:
loading a key into OpenSSL costs milliseconds, a lab needs seven contexts, and
a run starts a lab per scenario. An SSLContext serves any number of servers
with the same settings, so the one rule is that nobody changes a context
``server_context`` returned; whatever differs (asking for a client
certificate, a key log) is an argument and part of what the context is kept by.
"""

from __future__ import annotations

import ssl
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from exolab.emulator.clock import Clock, LabClock

TLS_VERSIONS: dict[str, ssl.TLSVersion] = {
    "1.0": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}

KEY_BITS = 2048
"""Every Microsoft certificate in the sources is RSA 2048."""

UTCTIME_LIMIT = datetime(2049, 12, 31, 23, 59, 59, tzinfo=UTC)
"""The last instant a UTCTime can carry: X.509 switches to GeneralizedTime from 2050, which
older device TLS stacks cannot parse."""

CA_START = datetime(2020, 1, 1, tzinfo=UTC)
"""notBefore of the lab root and intermediate: fixed, so nothing depends on when a lab was made."""

LEAF_DAYS = 365
"""Microsoft's leaves run one year and a day (00:00:00 to 23:59:59 a year later)."""

LEAF_BACKDATE = timedelta(days=30)
"""A leaf starts this long before the lab's date: a real one was issued some weeks ago."""

# TLS 1.2 and below. Order = server preference (OP_CIPHER_SERVER_PREFERENCE). ECDHE-RSA
# AES-256-GCM first is what real Exchange Online sessions negotiate; the rest follow the
# Windows (schannel) default order for RSA certificates.
MODERN_CIPHERS = (
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256:"
    "AES256-GCM-SHA384:AES128-GCM-SHA256:AES256-SHA256:AES128-SHA256"
)
LEGACY_CIPHERS = (
    MODERN_CIPHERS + ":ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA:AES256-SHA:AES128-SHA:"
    "DES-CBC3-SHA:@SECLEVEL=0"
)
"""What the submission hosts add for TLS 1.0/1.1: the CBC-SHA suites with RSA key exchange
that 2010-era firmware offers. DES-CBC3-SHA is named but only offered where the local OpenSSL
still has 3DES (Debian's does not; AES128-SHA is then what such a device negotiates)."""


@dataclass(frozen=True)
class Identity:
    """What one host's certificate says: subject CN, SANs and the rest of the subject."""

    common_name: str
    alt_names: tuple[str, ...]
    country: str = "US"
    state: str = "Washington"
    locality: str = "Redmond"
    organization: str = "Microsoft Corporation"


OUTLOOK = Identity(
    "outlook.com",
    (
        "*.internal.outlook.com",
        "*.outlook.com",
        "outlook.com",
        "office365.com",
        "*.office365.com",
        "*.outlook.office365.com",
        "*.office.com",
        "outlook.office.com",
        "substrate.office.com",
    ),
)
"""smtp.office365.com (and smtp-legacy / smtp-hve, covered by ``*.office365.com``)."""

MAIL_PROTECTION = Identity(
    "mail.protection.outlook.com",
    (
        "*.mail.eo.outlook.com",
        "*.mail.protection.outlook.com",
        "mail.protection.outlook.com",
        "outlook.com",
        "mail.messaging.microsoft.com",
    ),
)
"""The tenant MX ``<tenant>.mail.protection.outlook.com``."""

LOGIN = Identity(
    "stamp2.login.microsoftonline.com",
    (
        "login.microsoftonline.com",
        "login.microsoft.com",
        "login.windows.net",
        "stamp2.login.microsoftonline.com",
    ),
)
"""login.microsoftonline.com (the SAN list beyond the CN is a guess)."""

IDENTITIES: dict[str, Identity] = {
    "smtp.office365.com": OUTLOOK,
    "smtp-legacy.office365.com": OUTLOOK,
    "smtp-hve.office365.com": OUTLOOK,
    "mail.protection.outlook.com": MAIL_PROTECTION,
    "login.microsoftonline.com": LOGIN,
}


def identity_for(names: tuple[str, ...]) -> Identity:
    """The Microsoft-shaped identity of the first name, or a plain one (CN = first name)."""
    known = IDENTITIES.get(names[0].lower())
    if known is not None:
        return known
    return Identity(names[0], names, state="", locality="", organization="exolab")


LEAF_KEYS_KEPT = 64
_leaf_keys: dict[str, rsa.RSAPrivateKey] = {}
"""One RSA key per identity per process: generating 2048-bit keys for every lab a test
suite starts would cost seconds, and a lab's leaf keys protect nothing."""


def _leaf_key(label: str) -> rsa.RSAPrivateKey:
    key = _leaf_keys.get(label)
    if key is None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        if len(_leaf_keys) < LEAF_KEYS_KEPT:
            _leaf_keys[label] = key
    return key


def leaf_keys_pem() -> dict[str, bytes]:
    """This process's leaf keys by identity (PEM): what a later process may ``adopt_leaf_keys``."""
    return {
        label: key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        for label, key in _leaf_keys.items()
    }


def adopt_leaf_keys(pems: dict[str, bytes]) -> None:
    """Use these leaf keys (PEM, by identity) instead of making new ones in this process.

    The scenario runner keeps the keys its workers made and hands them to the
    next run: each worker otherwise spent about a third of a second making
    them. A key that does not parse as RSA is skipped (a new one is made).
    """
    for label, pem in pems.items():
        if label in _leaf_keys or len(_leaf_keys) >= LEAF_KEYS_KEPT:
            continue
        try:
            key = serialization.load_pem_private_key(
                pem, password=None, unsafe_skip_rsa_key_validation=True
            )
        except (ValueError, TypeError):
            continue
        if isinstance(key, rsa.RSAPrivateKey) and key.key_size == KEY_BITS:
            _leaf_keys[label] = key


def _name(*parts: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in parts if value])


ROOT_NAME = _name(
    (NameOID.COUNTRY_NAME, "US"),
    (NameOID.ORGANIZATION_NAME, "exolab"),
    (NameOID.ORGANIZATIONAL_UNIT_NAME, "lab CA"),
    (NameOID.COMMON_NAME, "exolab Global Root CA"),
)
INTERMEDIATE_NAME = _name(
    (NameOID.COUNTRY_NAME, "US"),
    (NameOID.ORGANIZATION_NAME, "exolab"),
    (NameOID.COMMON_NAME, "exolab Cloud Services CA-1"),
)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _ca_cert(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    path_length: int | None,
) -> x509.Certificate:
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(CA_START)
        .not_valid_after(UTCTIME_LIMIT)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
    )
    if issuer_key is not key:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _load_pair(
    cert_path: Path, key_path: Path
) -> tuple[x509.Certificate, rsa.RSAPrivateKey] | None:
    """A stored RSA certificate and key, or None when absent or not ours (an elliptic-curve
    root from an older lab: devices that only speak RSA could not use it)."""
    if not (cert_path.exists() and key_path.exists()):
        return None
    return _parse_pair(cert_path.read_bytes(), key_path.read_bytes())


@lru_cache(maxsize=8)
def _parse_pair(
    cert_pem: bytes, key_pem: bytes
) -> tuple[x509.Certificate, rsa.RSAPrivateKey] | None:
    """``_load_pair`` from the files' bytes, parsed once per process: the labs of a run all
    start from the same CA files (certificates and keys are immutable objects)."""
    cert = x509.load_pem_x509_certificate(cert_pem)
    # the lab's own key files: validating them (primality tests of p and q, tens of ms a
    # key) at every lab start protects nothing, and a damaged file still fails to parse
    key = serialization.load_pem_private_key(
        key_pem, password=None, unsafe_skip_rsa_key_validation=True
    )
    if not isinstance(key, rsa.RSAPrivateKey) or not isinstance(
        cert.public_key(), rsa.RSAPublicKey
    ):
        return None
    return cert, key


def _store_pair(
    cert_path: Path, key_path: Path, cert: x509.Certificate, key: rsa.RSAPrivateKey
) -> None:
    key_path.write_bytes(_key_pem(key))
    key_path.chmod(0o600)
    cert_path.write_bytes(_pem(cert))


ContextSettings = tuple[str, str, bytes | None]
"""What configures a server context besides its certificate: the lowest and highest TLS
version, and the root (PEM) a client certificate is checked against, or None to ask for none."""


@dataclass(frozen=True)
class LeafCert:
    """A leaf certificate, its key and the chain a server sends (leaf + intermediate)."""

    cert: x509.Certificate
    key: rsa.RSAPrivateKey
    intermediate: x509.Certificate
    contexts: dict[ContextSettings, ssl.SSLContext] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """The server contexts configured with this leaf, by settings (``LabCA.server_context``):
    kept with the leaf so that a context always presents the leaf ``LabCA.leaf`` gives."""

    @property
    def cert_chain_pems(self) -> list[trustme.Blob]:
        return [trustme.Blob(_pem(self.cert)), trustme.Blob(_pem(self.intermediate))]

    @property
    def private_key_pem(self) -> trustme.Blob:
        return trustme.Blob(_key_pem(self.key))

    @property
    def private_key_and_cert_chain_pem(self) -> trustme.Blob:
        return trustme.Blob(_key_pem(self.key) + _pem(self.cert) + _pem(self.intermediate))

    def configure_cert(self, context: ssl.SSLContext) -> None:
        """Load key + leaf + intermediate into ``context`` (the chain Microsoft sends)."""
        with self.private_key_and_cert_chain_pem.tempfile() as path:
            context.load_cert_chain(path)


LeafKey = tuple[bytes, datetime, datetime, tuple[str, ...]]
"""A leaf's issuer (the intermediate's SHA-256), its notBefore and notAfter, and its names."""

ISSUED_LEAVES_KEPT = 64
"""Leaves kept per process: a lab needs a handful, and a run's labs share one CA."""

_issued: OrderedDict[LeafKey, LeafCert] = OrderedDict()


def _remember(key: LeafKey, leaf: LeafCert) -> LeafCert:
    _issued[key] = leaf
    while len(_issued) > ISSUED_LEAVES_KEPT:
        _issued.popitem(last=False)
    return leaf


def leaf_window(lab_now: datetime, real_now: datetime) -> tuple[datetime, datetime]:
    """notBefore/notAfter of a leaf: a year and a day from midnight ``LEAF_BACKDATE`` before
    the earlier of the lab's date and the real date, stretched (rarely: only when a lab runs far
    from today) so that both the lab world and real clients on this machine see it valid."""
    earliest = min(lab_now, real_now) - LEAF_BACKDATE
    start = datetime(earliest.year, earliest.month, earliest.day, tzinfo=UTC)
    end = start + timedelta(days=LEAF_DAYS, hours=23, minutes=59, seconds=59)
    latest = max(lab_now, real_now)
    if end < latest + LEAF_BACKDATE:
        end = latest + timedelta(days=LEAF_DAYS)
    return start, min(end, UTCTIME_LIMIT)


@dataclass
class LabCA:
    """The lab's certificate authority (root + intermediate) and the leaves it issued."""

    directory: Path
    clock: Clock | None = None
    _root: x509.Certificate = field(init=False)
    _root_key: rsa.RSAPrivateKey = field(init=False)
    _intermediate: x509.Certificate = field(init=False)
    _intermediate_key: rsa.RSAPrivateKey = field(init=False)
    _leaves: dict[tuple[str, ...], LeafCert] = field(init=False, default_factory=dict)
    _issuer_id: bytes = field(init=False)
    """SHA-256 of the intermediate: what names this CA in the per-process leaf cache."""
    _root_pem: bytes = field(init=False)

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        root_paths = (self.directory / "ca.pem", self.directory / "ca-key.pem")
        inter_paths = (self.directory / "intermediate.pem", self.directory / "intermediate-key.pem")
        root = _load_pair(*root_paths)
        if root is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
            root = (_ca_cert(ROOT_NAME, key, ROOT_NAME, key, None), key)
            _store_pair(*root_paths, *root)
        self._root, self._root_key = root
        inter = _load_pair(*inter_paths)
        if (
            inter is None
            or inter[0].issuer != self._root.subject
            or not _signed_by(inter[0], self._root)
        ):
            key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
            inter = (_ca_cert(INTERMEDIATE_NAME, key, ROOT_NAME, self._root_key, 0), key)
            _store_pair(*inter_paths, *inter)
        self._intermediate, self._intermediate_key = inter
        self._issuer_id = self._intermediate.fingerprint(hashes.SHA256())
        # what a client certificate is checked against: the file a device imports
        self._root_pem = self.pem_path.read_bytes()
        self.der_path.write_bytes(self._root.public_bytes(serialization.Encoding.DER))

    @property
    def pem_path(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def der_path(self) -> Path:
        return self.directory / "ca.der"

    @property
    def root(self) -> x509.Certificate:
        return self._root

    @property
    def intermediate(self) -> x509.Certificate:
        return self._intermediate

    def fingerprint(self) -> str:
        """SHA-256 of the root (DER), as ``AB:CD:...``: what a device page shows after import."""
        return self._root.fingerprint(hashes.SHA256()).hex(":").upper()

    def leaf(self, *names: str) -> LeafCert:
        """The certificate a server for ``names`` presents (issued once per lab).

        Another lab of this process with the same CA, window and names gets
        the same certificate: issuing it again would only change the serial.
        """
        if names not in self._leaves:
            real_now = LabClock().now()
            lab_now = self.clock.now() if self.clock is not None else real_now
            start, end = leaf_window(lab_now, real_now)
            key = (self._issuer_id, start, end, names)
            cached = _issued.get(key)
            if cached is None:
                cached = _remember(key, self._issue(identity_for(names), names, start, end))
            self._leaves[names] = cached
        return self._leaves[names]

    def _issue(
        self, identity: Identity, names: tuple[str, ...], start: datetime, end: datetime
    ) -> LeafCert:
        key = _leaf_key(identity.common_name)
        alt = list(dict.fromkeys(identity.alt_names))
        subject = _name(
            (NameOID.COUNTRY_NAME, identity.country),
            (NameOID.STATE_OR_PROVINCE_NAME, identity.state),
            (NameOID.LOCALITY_NAME, identity.locality),
            (NameOID.ORGANIZATION_NAME, identity.organization),
            (NameOID.COMMON_NAME, identity.common_name),
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self._intermediate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=True,  # RSA key exchange (TLS_RSA_*) encrypts to this key
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                critical=False,
            )
            .add_extension(
                x509.SubjectAlternativeName([_general_name(n) for n in alt]), critical=False
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    self._intermediate_key.public_key()
                ),
                critical=False,
            )
            .sign(self._intermediate_key, hashes.SHA256())
        )
        return LeafCert(cert, key, self._intermediate)

    def server_context(
        self,
        names: tuple[str, ...],
        minimum: str = "1.2",
        maximum: str = "1.3",
        *,
        client_certificates: bool = False,
        keylog: Path | None = None,
    ) -> ssl.SSLContext:
        """A server context for ``names`` that negotiates ``minimum``..``maximum``.

        The server's cipher order wins (as on Windows): TLS 1.3 picks TLS_AES_256_GCM_SHA384
        first, TLS 1.2 ECDHE-RSA-AES256-GCM-SHA384. Below 1.2 the RSA key exchange suites join.
        ``client_certificates`` asks a client for a certificate from the lab CA without
        requiring one; ``keylog`` appends the TLS secrets of every session to that file.

        The context is shared with every other caller that asks for the same leaf and
        settings: never change it. Only a context with a key log is made for its caller
        alone (its file belongs to one lab).
        """
        leaf = self.leaf(*names)
        settings = (minimum, maximum, self._root_pem if client_certificates else None)
        if keylog is not None:
            own = _configure(leaf, *settings)
            own.keylog_filename = str(keylog)
            return own
        shared = leaf.contexts.get(settings)
        if shared is None:
            shared = leaf.contexts[settings] = _configure(leaf, *settings)
        return shared

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts the lab CA (lab tools and tests)."""
        return ssl.create_default_context(cafile=str(self.pem_path))


def _configure(
    leaf: LeafCert, minimum: str, maximum: str, client_ca: bytes | None
) -> ssl.SSLContext:
    """A new server context presenting ``leaf`` (``LabCA.server_context`` says what it does)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    leaf.configure_cert(context)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = TLS_VERSIONS[minimum]
        context.maximum_version = TLS_VERSIONS[maximum]
    context.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
    legacy = TLS_VERSIONS[minimum] < ssl.TLSVersion.TLSv1_2
    context.set_ciphers(LEGACY_CIPHERS if legacy else MODERN_CIPHERS)
    if client_ca is not None:
        context.verify_mode = ssl.CERT_OPTIONAL
        context.load_verify_locations(cadata=client_ca.decode("ascii"))
    return context


def _general_name(name: str) -> x509.GeneralName:
    return x509.DNSName(name)


@lru_cache(maxsize=8)
def _signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether ``issuer`` signed ``cert``; asked once per pair and process (the labs of a run
    load the same CA files, and a signature check costs a fraction of a millisecond)."""
    try:
        cert.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
