"""The console in a real browser: Debian's Chromium driven by Playwright, against a real lab.

Each test opens the page as ``exolab console`` prints it (the token in the
fragment) and acts as a trainer does; devices are Python's smtplib. Waits are
for elements and texts, with a generous bound that only stops a hung test.
"""

from __future__ import annotations

import asyncio
import json
import smtplib
from collections.abc import AsyncIterator
from email.header import Header
from email.message import EmailMessage

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from exolab.emulator.server import Lab
from exolab.emulator.store.views import session_json
from exolab.emulator.tenant import load_default_tenant
from exolab.scenarios.live import LiveExplainer
from tests.emulator.labs import scanner_sends_one, sessions_recorded, submission_client

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
WAIT = 30_000
"""Milliseconds: a bound for a hung test, not a speed goal (the page updates in well under 2 s)."""
AUTH_SWITCH = "Mailbox[alice@contoso.com].SmtpClientAuthenticationDisabled"
SUBJECT = "スキャン文書 見積書"


@pytest.fixture
def lab(console_lab: Lab) -> Lab:
    return console_lab


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        await launched.close()


async def open_console(browser: Browser, lab: Lab, lang: str) -> Page:
    token = json.loads(lab.endpoints_path.read_text("utf-8"))["api_token"]
    page = await browser.new_page()
    await page.goto(f"{lab.context.endpoints.api}/console?lang={lang}#token={token}")
    # the live stream is open once the page says so
    await expect(page.locator("body")).to_have_attribute("data-live", "yes", timeout=WAIT)
    assert "#token" not in page.url  # the page took the token out of the address bar
    return page


def login(lab: Lab, message: bytes | None = None) -> int:
    """alice's device: STARTTLS, AUTH LOGIN, and optionally one message; the AUTH reply code."""
    with submission_client(lab) as client:
        try:
            client.login("alice@contoso.com", "Alice-Pass-1")
        except smtplib.SMTPAuthenticationError as refused:
            return int(refused.smtp_code)
        if message is not None:
            client.sendmail("alice@contoso.com", ["bob@contoso.com"], message)
    return 235


def japanese_message() -> bytes:
    message = EmailMessage()
    message["From"] = "alice@contoso.com"
    message["To"] = "bob@contoso.com"
    message.set_content("scan")
    raw = message.as_bytes().replace(b"\n", b"\r\n")
    subject = Header(SUBJECT, "iso-2022-jp").encode().encode("ascii")
    return b"Subject: " + subject + b"\r\n" + raw


async def test_a_session_sent_with_smtplib_appears_on_the_open_page(
    browser: Browser, lab: Lab
) -> None:
    page = await open_console(browser, lab, "en")
    assert await asyncio.to_thread(login, lab) == 535
    row = page.locator("#sessions li.session")
    await expect(row).to_have_count(1, timeout=WAIT)
    await expect(row.locator(".outcome")).not_to_be_empty()


async def test_japanese_page_shows_the_japanese_explanation(browser: Browser, lab: Lab) -> None:
    page = await open_console(browser, lab, "ja")
    assert await asyncio.to_thread(login, lab) == 535
    (record,) = await sessions_recorded(lab, 1)
    expected = LiveExplainer().session(session_json(record), "ja")["decided"]["meaning"]
    english = LiveExplainer().session(session_json(record), "en")["decided"]["meaning"]
    assert expected and expected != english
    await expect(page.locator("#sessions li.session .meaning")).to_have_text(expected, timeout=WAIT)
    await page.locator("#sessions li.session").click()
    await expect(page.locator("#detail-body .explanation")).to_have_text(expected, timeout=WAIT)
    await expect(page.locator("#detail-body .stage")).to_have_text("AUTH")


async def test_flipping_authenticated_smtp_on_the_page_changes_the_next_auth(
    browser: Browser, lab: Lab
) -> None:
    assert await asyncio.to_thread(login, lab) == 535
    page = await open_console(browser, lab, "ja")
    switch = page.locator(f'.switch[data-key="{AUTH_SWITCH}"]')
    await expect(switch).to_contain_text("認証済み SMTP", timeout=WAIT)
    await expect(switch).to_contain_text("Set-CASMailbox -Identity alice@contoso.com")
    await switch.locator("input").check()
    await expect(page.locator("#status")).to_contain_text("適用しました", timeout=WAIT)
    assert await asyncio.to_thread(login, lab) == 235


async def test_a_japanese_subject_reads_as_sent(browser: Browser, lab: Lab) -> None:
    lab.context.tenant = load_default_tenant([(f"{AUTH_SWITCH}", False)])
    assert await asyncio.to_thread(login, lab, japanese_message()) == 235
    page = await open_console(browser, lab, "ja")
    inbox = page.locator('tr[data-mailbox="bob@contoso.com"] button[data-folder="Inbox"]')
    await expect(inbox).to_have_text("1", timeout=WAIT)
    await inbox.click()
    subject = page.locator("#messages .message .subject")
    await expect(subject).to_have_text(SUBJECT, timeout=WAIT)
    await subject.click()
    await expect(page.locator("#detail-body .message-subject")).to_have_text(SUBJECT, timeout=WAIT)


async def test_a_fault_that_fired_shows_on_the_session_in_japanese(
    browser: Browser, lab: Lab
) -> None:
    page = await open_console(browser, lab, "ja")
    token = json.loads(lab.endpoints_path.read_text("utf-8"))["api_token"]
    rule = {"fault": {"Name": "busy", "Stage": "eod", "Reply": "4.7.500", "Count": 1}}
    answer = await page.request.post(
        f"{lab.context.endpoints.api}/api/faults",
        data=json.dumps(rule),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert answer.status == 200
    listed = page.locator('#fault-rules .fault-rule[data-name="busy"]')
    await expect(listed).to_contain_text("Reply=4.7.500", timeout=WAIT)
    assert await asyncio.to_thread(scanner_sends_one, lab) == 451
    fault = page.locator("#sessions li.session .fault")
    await expect(fault).to_have_text("障害 busy: 応答 4.7.500 段階 eod (発生 1)", timeout=WAIT)
    await page.locator("#sessions li.session").click()
    await expect(page.locator("#detail-body dd.faults .fault")).to_contain_text(
        "busy", timeout=WAIT
    )
    await expect(listed).to_contain_text("発生 1", timeout=WAIT)
    await listed.locator("button.clear-fault").click()  # a write, with the page's token
    await expect(page.locator("#fault-rules .fault-rule")).to_have_count(0, timeout=WAIT)
    assert lab.context.tenant.fault == ()


async def test_the_smtp_auth_clients_report_lists_the_sender(browser: Browser, lab: Lab) -> None:
    page = await open_console(browser, lab, "ja")
    assert await asyncio.to_thread(scanner_sends_one, lab) == 250
    row = page.locator('#auth-report tr[data-sender="scanner@contoso.com"]')
    await expect(row).to_contain_text("Basic", timeout=WAIT)
    await expect(page.locator("#report h2")).to_have_text("SMTP AUTH クライアント レポート")
    await expect(page.locator("#auth-report th").first).to_have_text("送信者アドレス")
    await expect(row.locator("td").nth(6)).to_have_text("1")
    link = page.locator("#auth-report-csv")
    await expect(link).to_have_attribute("href", "/api/reports/smtp-auth-clients?format=csv")
