"""The pytest plugin other tools use, tested the way they use it: a conftest.py that lists it.

An inner pytest session (pytester) gets a conftest with
``pytest_plugins = ["scenarios.pytest_plugin"]`` and tests that talk SMTP to
the lab with the standard library, change the tenant by marker, and start
several labs from the factory.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

CONFTEST = 'pytest_plugins = ["scenarios.pytest_plugin"]\n'

INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
addopts = --strict-markers
filterwarnings = error
"""

TESTS = """
import asyncio
import smtplib
import ssl

import pytest


def login(lab, user, password):
    host, port = lab.address("smtp.office365.com", 587)
    context = ssl.create_default_context(cafile=str(lab.lab.context.ca.pem_path))
    context.check_hostname = False
    with smtplib.SMTP(host, port, timeout=10) as client:
        client.starttls(context=context)
        try:
            client.login(user, password)
        except smtplib.SMTPAuthenticationError as exc:
            return exc.smtp_code, exc.smtp_error
        return 235, b""


async def test_default_lab_accepts_the_scanner(exolab_lab):
    assert exolab_lab.endpoints_path.is_file()
    code, _ = await asyncio.to_thread(login, exolab_lab, "scanner@contoso.com", "Scan-2-Mail!")
    assert code == 235


@pytest.mark.exolab_tenant("SecurityDefaults.IsEnabled=true", as_of="2026-07-01T00:00:00+00:00")
async def test_marker_changes_the_tenant(exolab_lab):
    assert exolab_lab.tenant.security_defaults.is_enabled
    code, text = await asyncio.to_thread(login, exolab_lab, "scanner@contoso.com", "Scan-2-Mail!")
    assert code == 535 and b"security defaults" in text


async def test_factory_starts_several_labs(exolab_lab_factory):
    first = await exolab_lab_factory()
    second = await exolab_lab_factory("Limits.RecipientsPerDay=5")
    assert first.data_dir != second.data_dir
    assert second.tenant.limits.recipients_per_day == 5
    assert first.address("smtp.office365.com", 587) != second.address("smtp.office365.com", 587)
"""


def test_plugin_in_a_conftest(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makeini(INI)
    pytester.makepyfile(test_with_lab=TESTS)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
