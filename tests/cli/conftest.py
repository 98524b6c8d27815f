"""The aiosmtpd server fixture of the device tests, for `exolab send` against a plain server."""

from __future__ import annotations

from tests.devices.conftest import smtpd

__all__ = ["smtpd"]
