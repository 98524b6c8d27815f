"""The Japanese HTML reports lay out inside an 800 px window in Debian's Chromium.

Long reply lines (an NDR's bracketed trailer, a base64 token, a Learn
address) and long Japanese sentences must wrap instead of pushing the page
wider than the window, so a trainer can project the report without
scrolling sideways.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

from exolab.scenarios.matrix import SETUPS, Cell
from exolab.scenarios.reports import matrix as matrix_report
from exolab.scenarios.reports import render_html
from exolab.scenarios.result import Observation, ScenarioResult
from tests.emulator.api.test_console_browser import ARGS, CHROMIUM
from tests.scenarios.fakes import EXPECT_TENANT, SESSION, rejected_at_auth, result

WIDTH = 800
LONG_TOKEN = "AAAAB3NzaC1yc2EAAAADAQABAAABAQ" * 8
LONG_REPLY = (
    "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be "
    "authenticated successfully. Contact your administrator. "
    f"[{LONG_TOKEN}.prod.outlook.com 2026-06-01T09:00:00.000Z 08DCA18218166FB4]"
)
SOURCE = (
    "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/"
    "how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365"
)
LONG_JA = "認証済み SMTP をオンにしてから複合機の設定画面で送信サーバーを確認してください" * 4

# Every element's right edge, against the window's: the widest one names itself.
OVERFLOW = """() => {
  const limit = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > limit + 0.5)
    .map((el) => `${el.tagName}.${el.className}: ${Math.round(el.getBoundingClientRect().right)}`);
  return {scroll: document.body.scrollWidth, client: document.body.clientWidth,
          page: document.documentElement.scrollWidth, limit, wide: wide.slice(0, 5)};
}"""


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        await launched.close()


def long_results() -> list[ScenarioResult]:
    attempt = rejected_at_auth(LONG_REPLY)
    long = result(EXPECT_TENANT, Observation((attempt,), (), (SESSION,)))
    long = dataclasses.replace(
        long,
        id="tenant-disabled-" + "x" * 60,
        source=SOURCE,
        error=f"{LONG_JA} {LONG_TOKEN}",
    )
    return [long, result(EXPECT_TENANT, Observation((rejected_at_auth(),)))]


async def overflow(browser: Browser, page_html: str) -> dict[str, object]:
    page = await browser.new_page(viewport={"width": WIDTH, "height": 600})
    await page.set_content(page_html)
    measured: dict[str, object] = await page.evaluate(OVERFLOW)
    await page.close()
    return measured


async def test_the_japanese_report_fits_an_800_pixel_window(browser: Browser) -> None:
    page_html = render_html(long_results(), 1.5, "ja", title="複合機の検証レポート")
    measured = await overflow(browser, page_html)
    assert measured["wide"] == [], measured
    assert measured["scroll"] <= measured["client"], measured  # type: ignore[operator]
    assert measured["page"] <= WIDTH, measured  # type: ignore[operator]


async def test_the_japanese_matrix_fits_an_800_pixel_window(browser: Browser) -> None:
    row = {s.id: Cell("refused-setting", f"server: {LONG_JA} {LONG_TOKEN}") for s in SETUPS}
    table = {"複合機-長い名前のプロファイル-" + "x" * 80: row, "starttls-modern": row}
    measured = await overflow(browser, matrix_report.render_html(table, "ja"))
    assert measured["wide"] == [], measured
    assert measured["scroll"] <= measured["client"], measured  # type: ignore[operator]
    assert measured["page"] <= WIDTH, measured  # type: ignore[operator]
