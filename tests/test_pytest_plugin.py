"""The pytest plugin other tools use, tested the way they use it: a foreign project.

An inner pytest run in its own process gets a project with its own
``scenarios`` and ``devices`` packages (names exolab once took at the top of
site-packages) and tests that talk SMTP to the lab with the standard library,
change the tenant by marker, and start several labs from the factory. They
use the helpers a test author reaches for: the CA file, messages with their
Japanese subjects decoded, the sessions, and a device-code sign-in approved
while the test plays the device's side of the OAuth flow over HTTPS. The
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

TESTS = r"""
import asyncio
import base64
import smtplib
import ssl
from email.header import Header

import aiohttp
import pytest

DEVICE_APP = "a1b2c3d4-0000-4e5f-8a9b-0c1d2e3f4a5b"  # the demo tenant's device-code app
SUBJECT = "スキャン文書 第1号"


def submission(lab):
    host, port = lab.address("smtp.office365.com", 587)
    context = ssl.create_default_context(cafile=str(lab.ca_pem))
    context.check_hostname = False
    client = smtplib.SMTP(host, port, timeout=10)
    client.starttls(context=context)
    return client


def login(lab, user, password):
    with submission(lab) as client:
        try:
            client.login(user, password)
        except smtplib.SMTPAuthenticationError as exc:
            return exc.smtp_code, exc.smtp_error
        return 235, b""


def send_japanese(lab):
    subject = Header(SUBJECT, "iso-2022-jp").encode()
    message = (
        "From: scanner@contoso.com\r\nTo: alice@contoso.com\r\n"
        f"Subject: {subject}\r\nMessage-ID: <scan-1@mfp.contoso.com>\r\n"
        "Date: Mon, 01 Jun 2026 09:00:00 +0000\r\n\r\nscan attached\r\n"
    )
    with submission(lab) as client:
        client.login("scanner@contoso.com", "Scan-2-Mail!")
        client.sendmail("scanner@contoso.com", ["alice@contoso.com"], message.encode("ascii"))
    return subject


def xoauth2_login(lab, user, token):
    initial = base64.b64encode(f"user={user}\x01auth=Bearer {token}\x01\x01".encode())
    with submission(lab) as client:
        client.ehlo()
        code, _ = client.docmd("AUTH", "XOAUTH2 " + initial.decode())
        return code


async def token_service(lab, path, form):
    service = lab.token_service
    context = ssl.create_default_context(cafile=str(lab.ca_pem))
    async with aiohttp.ClientSession() as session:
        async with session.post(
            service.url + path, data=form, ssl=context, server_hostname=service.host
        ) as answer:
            return answer.status, await answer.json()


async def test_default_lab_accepts_the_scanner(exolab_lab):
    assert exolab_lab.endpoints_path.is_file()
    code, _ = await asyncio.to_thread(login, exolab_lab, "scanner@contoso.com", "Scan-2-Mail!")
    assert code == 235


@pytest.mark.exolab_tenant("SecurityDefaults.IsEnabled=true", as_of="2026-07-01T00:00:00+00:00")
async def test_marker_changes_the_tenant(exolab_lab):
    assert exolab_lab.tenant.security_defaults.is_enabled
    code, text = await asyncio.to_thread(login, exolab_lab, "scanner@contoso.com", "Scan-2-Mail!")
    assert code == 535 and b"security defaults" in text


async def test_a_japanese_subject_comes_back_decoded_with_its_session(exolab_lab):
    sent = await asyncio.to_thread(send_japanese, exolab_lab)
    assert sent.startswith("=?iso-2022-jp?b?")
    [message] = exolab_lab.messages("alice@contoso.com")
    assert message.subject == SUBJECT and message.subject_raw == sent
    assert message.folder == "Inbox" and message.envelope_from == "scanner@contoso.com"
    assert message.email()["subject"] == SUBJECT
    sessions = await exolab_lab.sessions(at_least=1)
    assert [s.identity for s in sessions] == ["scanner@contoso.com"]
    assert sessions[0].id == message.stored.session_id


async def test_a_device_code_sign_in_approved_end_to_end(exolab_lab):
    form = {"client_id": DEVICE_APP, "scope": "https://outlook.office.com/SMTP.Send offline_access"}
    status, start = await token_service(exolab_lab, "/organizations/oauth2/v2.0/devicecode", form)
    assert status == 200, start
    poll = {
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        "client_id": DEVICE_APP,
        "device_code": start["device_code"],
    }
    status, body = await token_service(exolab_lab, "/organizations/oauth2/v2.0/token", poll)
    assert (status, body["error"]) == (400, "authorization_pending")
    refused = await exolab_lab.approve_device_code(start["user_code"], "nobody@contoso.com")
    assert not refused.ok and refused.error_code and refused.error_code.startswith("AADSTS")
    signin = await exolab_lab.approve_device_code(start["user_code"], "scanner@contoso.com")
    assert signin.ok, signin.message
    status, tokens = await token_service(exolab_lab, "/organizations/oauth2/v2.0/token", poll)
    assert status == 200, tokens
    code = await asyncio.to_thread(
        xoauth2_login, exolab_lab, "scanner@contoso.com", tokens["access_token"]
    )
    assert code == 235


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
    result.assert_outcomes(passed=6)


def test_a_conftest_naming_the_plugin_still_works(pytester: pytest.Pytester) -> None:
    foreign_project(pytester)
    pytester.makeconftest(CONFTEST)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", timeout=300)
    result.assert_outcomes(passed=6)
