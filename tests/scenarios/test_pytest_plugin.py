"""The pytest plugin other tools use, tested the way they use it: a foreign project.

An inner pytest run in its own process gets a project with its own
``scenarios`` and ``devices`` packages (names exolab once took at the top of
site-packages) and tests that talk SMTP to the lab with the standard library,
change the tenant by marker, and start several labs from the factory. The
fixtures arrive through the ``pytest11`` entry point; a conftest line naming
the plugin, as older set-ups have, still works.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

CONFTEST = 'pytest_plugins = ["exolab.pytest_plugin"]\n'

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


FOREIGN_PACKAGE = {
    "scenarios/__init__.py": "WHO = 'the foreign project'\n",
    "devices/__init__.py": "WHO = 'the foreign devices'\n",
}

OWN_NAMES = """
import devices
import scenarios


def test_the_project_keeps_its_own_package_names(exolab_lab):
    assert scenarios.WHO == "the foreign project" and devices.WHO == "the foreign devices"
    assert type(exolab_lab).__module__ == "exolab.pytest_plugin"
"""


def foreign_project(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    for name, text in FOREIGN_PACKAGE.items():
        path = pytester.path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    pytester.makepyfile(test_with_lab=TESTS, test_own_names=OWN_NAMES)


def test_a_foreign_project_gets_the_fixtures_through_the_entry_point(
    pytester: pytest.Pytester,
) -> None:
    foreign_project(pytester)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", timeout=300)
    result.assert_outcomes(passed=4)


def test_a_conftest_naming_the_plugin_still_works(pytester: pytest.Pytester) -> None:
    foreign_project(pytester)
    pytester.makeconftest(CONFTEST)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", timeout=300)
    result.assert_outcomes(passed=4)
