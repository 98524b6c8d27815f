"""The device's own certificate checks: dates by the device clock, host name vs a typed IP."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from exolab.devices.profile import Tls
from exolab.devices.tls import (
    NO_CHECK_TIME,
    certificate_date_problem,
    client_context,
    server_hostname,
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
