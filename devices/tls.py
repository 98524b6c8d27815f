"""The one place that builds every SSLContext a device uses.

TLS 1.0/1.1 are really negotiated: the context's minimum/maximum versions
come from the profile and the cipher string drops to ``@SECLEVEL=0`` so
OpenSSL 3 still offers the SHA-1 suites old firmware needs. Python warns
that TLSv1/TLSv1_1 are deprecated; that warning is expected here and is
contained to this module.
"""

from __future__ import annotations

import ssl
import warnings
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from cryptography import x509

from exolab.devices.profile import TLS_ORDER, Tls

VERSIONS: dict[str, ssl.TLSVersion] = {
    "1.0": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}
LEGACY_CIPHERS = "DEFAULT:@SECLEVEL=0"
NO_CHECK_TIME = 0x200000
"""OpenSSL's X509_V_FLAG_NO_CHECK_TIME: the chain is checked, its dates are not. A device judges
dates by its own clock (``certificate_date_problem``), which may be wrong; OpenSSL would use
this machine's."""


def cipher_string(tls: Tls) -> str | None:
    legacy = TLS_ORDER[tls.min_version] < TLS_ORDER["1.2"]
    if tls.ciphers is None:
        return LEGACY_CIPHERS if legacy else None
    if legacy and "SECLEVEL" not in tls.ciphers:
        return tls.ciphers + ":@SECLEVEL=0"
    return tls.ciphers


def client_context(tls: Tls, ca_pem: Path | None) -> ssl.SSLContext:
    """A client context for this profile's TLS section (shared: contexts are reusable).

    Kept per TLS section and CA certificate, not per CA file: every lab of a
    scenario run has its own ``ca.pem`` holding the same root, and a lab that
    made a new root at the same path gets a new context.
    """
    lab_ca = tls.verify_certificate and tls.trust == "lab" and ca_pem is not None
    return _client_context(tls, _ca_text(ca_pem) if lab_ca and ca_pem is not None else None)


@lru_cache(maxsize=64)
def _client_context(tls: Tls, ca: str | None) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = VERSIONS[tls.min_version]
        ctx.maximum_version = VERSIONS[tls.max_version]
    ciphers = cipher_string(tls)
    if ciphers is not None:
        ctx.set_ciphers(ciphers)
    if not tls.verify_certificate:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    # hostname checking needs the name; no SNI: chain only
    ctx.check_hostname = tls.sends_sni and tls.verify_hostname
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.verify_flags |= NO_CHECK_TIME
    if ca is not None:
        ctx.load_verify_locations(cadata=ca)
    else:
        ctx.load_default_certs()
    return ctx


def token_service_context(ca_pem: Path | None, verify_certificate: bool) -> ssl.SSLContext:
    """What the firmware's HTTPS client to the token service trusts: the system store and the
    lab CA. Shared per CA certificate: loading the system store costs ~45 ms a context."""
    return _token_service_context(None if ca_pem is None else _ca_text(ca_pem), verify_certificate)


@lru_cache(maxsize=8)
def _token_service_context(ca: str | None, verify_certificate: bool) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    if ca is not None:
        ctx.load_verify_locations(cadata=ca)
    if not verify_certificate:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _ca_text(ca_pem: Path) -> str:
    """The CA file's PEM text: what a context trusts, so what it is kept by."""
    return ca_pem.read_text(encoding="ascii")


def server_hostname(tls: Tls, server: str, sni: str | None) -> str | None:
    """What the TLS layer is given: the SNI name, or the typed IP address when the device checks
    host names (no SNI is sent for an address; the certificate is matched against it and fails,
    as on a device whose server field holds an IP)."""
    if sni is None and tls.verify_certificate and tls.verify_hostname and tls.sends_sni:
        return server
    return sni


def certificate_date_problem(tls: Tls, der: bytes | None, device_now: datetime) -> str | None:
    """Why a verifying device rejects the server certificate's dates, or None.

    ``device_now`` is the device's clock before ``clock_offset_days``; the leaf's notBefore and
    notAfter are compared with the skewed clock, as firmware does with its own RTC.
    """
    if not tls.verify_certificate or der is None:
        return None
    now = device_now + timedelta(days=tls.clock_offset_days)
    cert = x509.load_der_x509_certificate(der)
    if now < cert.not_valid_before_utc:
        return f"certificate is not yet valid (device clock {now:%Y-%m-%d %H:%M} UTC)"
    if now > cert.not_valid_after_utc:
        return f"certificate has expired (device clock {now:%Y-%m-%d %H:%M} UTC)"
    return None


def version_name(raw: str | None) -> str | None:
    """OpenSSL's ``TLSv1`` -> ``TLSv1.0``; others unchanged."""
    return "TLSv1.0" if raw == "TLSv1" else raw
