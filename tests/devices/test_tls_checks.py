"""The device's own certificate checks: dates by the device clock, host name vs a typed IP."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime
from pathlib import Path

from exolab.devices.profile import Tls
from exolab.devices.tls import (
    NO_CHECK_TIME,
    certificate_date_problem,
    client_context,
    server_hostname,
    token_service_context,
)
from exolab.emulator.tls import LabCA

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def _der(tmp_path: Path) -> bytes:
    from cryptography.hazmat.primitives import serialization

    ca = LabCA(tmp_path)
    return ca.leaf("smtp.office365.com").cert.public_bytes(serialization.Encoding.DER)


def test_a_clock_ten_years_behind_sees_a_certificate_not_yet_valid(tmp_path: Path) -> None:
    der = _der(tmp_path)
    behind = Tls(verify_certificate=True, clock_offset_days=-3650)
    assert "not yet valid" in (certificate_date_problem(behind, der, NOW) or "")
    ahead = Tls(verify_certificate=True, clock_offset_days=3650)
    assert "expired" in (certificate_date_problem(ahead, der, NOW) or "")
    assert certificate_date_problem(Tls(verify_certificate=True), der, NOW) is None


def test_a_device_that_does_not_verify_never_judges_dates(tmp_path: Path) -> None:
    assert certificate_date_problem(Tls(clock_offset_days=-3650), _der(tmp_path), NOW) is None


def test_host_name_checking_gets_the_typed_ip_and_leaves_dates_to_the_device() -> None:
    strict = Tls(verify_certificate=True)
    assert server_hostname(strict, "127.10.0.1", None) == "127.10.0.1"
    assert (
        server_hostname(Tls(verify_certificate=True, verify_hostname=False), "127.10.0.1", None)
        is None
    )
    ctx = client_context(strict, None)
    assert ctx.check_hostname and ctx.verify_flags & NO_CHECK_TIME
    assert not client_context(
        Tls(verify_certificate=True, verify_hostname=False), None
    ).check_hostname


def test_contexts_are_kept_by_the_ca_certificate_not_by_its_file(tmp_path: Path) -> None:
    """Each lab of a scenario run has its own ca.pem with the same root: one context serves all;
    a new root written where the old one was is trusted at once."""
    first = LabCA(tmp_path / "first")
    copy = tmp_path / "copy.pem"
    copy.write_bytes(first.pem_path.read_bytes())
    strict = Tls(verify_certificate=True)
    shared = client_context(strict, first.pem_path)
    assert client_context(strict, copy) is shared
    assert shared.get_ca_certs(binary_form=True) == [first.der_path.read_bytes()]

    other = LabCA(tmp_path / "other")
    first.pem_path.write_bytes(other.pem_path.read_bytes())
    renewed = client_context(strict, first.pem_path)
    assert renewed.get_ca_certs(binary_form=True) == [other.der_path.read_bytes()]


def test_the_token_service_context_is_built_once_per_ca_certificate(tmp_path: Path) -> None:
    ca = LabCA(tmp_path / "lab")
    copy = tmp_path / "copy.pem"
    copy.write_bytes(ca.pem_path.read_bytes())
    ctx = token_service_context(ca.pem_path, True)
    assert token_service_context(copy, True) is ctx
    assert ca.der_path.read_bytes() in ctx.get_ca_certs(binary_form=True)
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    lax = token_service_context(ca.pem_path, False)
    assert lax.verify_mode == ssl.CERT_NONE and not lax.check_hostname
