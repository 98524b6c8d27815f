"""`exolab docs --screenshots`: pictures of the console's main views for the trainer guides.

A lab starts on a fixed lab date with the demo tenant, simulated devices send
the trainer guide's scans (the scan mailbox delivers a Japanese subject, alice
is refused at AUTH, an unlisted branch office's direct send lands in Junk
Email), and Debian's Chromium (headless, the system browser: nothing is
downloaded) opens the console in English and Japanese and photographs the
live session list, a message with its verdict, and the tenant's switches.

PNG bytes differ between machines (fonts, anti-aliasing), so staleness is
judged on what produced them: ``manifest.json`` holds a hash of each view's
text as the browser rendered it (times, ports and tokens taken out) and a
hash of each of the console's static files. A test recomputes the manifest
and asks for this command when they differ.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exolab.cli.common import UsageError
from exolab.emulator.clock import FixedClock, utc

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

    from exolab.emulator.server import Lab

COMMAND = "exolab docs --screenshots"
SCREENS = Path("guide") / "screens"
"""Where the pictures and their manifest go, under docs/."""
MANIFEST = "manifest.json"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--font-render-hinting=none",
)  # fmt: skip
LAB_TIME = utc(2026, 11, 27, 9, 30)
"""A day on which basic authentication still works, so the scan mailbox delivers."""
SEED = 12
VIEWPORT = {"width": 1280, "height": 860}
WAIT = 30_000
"""Milliseconds: a bound for a hung browser, not a speed goal."""
LANGS = ("en", "ja")


@dataclass(frozen=True)
class Scan:
    """One simulated device's job, as `exolab send` takes it."""

    profile: str
    settings: dict[str, object]
    to: str
    site: str
    job: str = ""


SUBMISSION = {"server": "smtp.office365.com", "port": 587, "security": "starttls"}
SCANS = (
    Scan(
        "starttls-modern",
        {**SUBMISSION, "username": "scanner@contoso.com", "password": "Scan-2-Mail!"},
        "alice@contoso.com",
        "office",
        "subject=スキャン文書 見積書,filename=見積書.pdf",
    ),
    Scan(
        "starttls-modern",
        {**SUBMISSION, "username": "alice@contoso.com", "password": "Alice-Pass-1"},
        "bob@contoso.com",
        "office",
    ),
    Scan(
        "no-auth",
        {
            "server": "contoso-com.mail.protection.outlook.com",
            "port": 25,
            "security": "starttls",
            "sender": "scanner@contoso.com",
        },
        "alice@contoso.com",
        "branch",
        "subject=支店からのスキャン,filename=支店-スキャン.pdf",
    ),
)
REFUSED_SESSION = 2
"""The session the first picture opens: alice refused at AUTH, with its explanation."""


@dataclass(frozen=True)
class View:
    """One picture: what to click first, then which part of the page to photograph."""

    name: str
    prepare: Callable[[Page], Awaitable[None]]
    selector: str | None = None
    """None: the whole window."""


async def _open_refused_session(page: Page) -> None:
    from playwright.async_api import expect

    await page.locator(f'#sessions li.session[data-id="{REFUSED_SESSION}"]').click()
    await expect(page.locator("#detail-body .explanation")).not_to_be_empty(timeout=WAIT)


async def _open_junk_message(page: Page) -> None:
    from playwright.async_api import expect

    folder = page.locator('tr[data-mailbox="alice@contoso.com"] button[data-folder="Junk Email"]')
    await expect(folder).to_have_text("1", timeout=WAIT)
    await folder.click()
    await page.locator("#messages .message .subject").first.click()
    await expect(page.locator("#detail-body .message-subject")).not_to_be_empty(timeout=WAIT)


async def _nothing(page: Page) -> None:
    return None


VIEWS = (
    View("sessions", _open_refused_session),
    View("message", _open_junk_message, "#detail"),
    View("switches", _nothing, "#settings"),
)

_VOLATILE = (
    # Front-end names and trailer ids come from the seeded generator: the same on every
    # run, but a change anywhere in the order of its draws renames them, and a picture
    # with another made-up host name is not a stale picture.
    (re.compile(r"\b[A-Z]{2,3}\d(?:PR|[A-Z]{3})\d{2}(?:CA|MB|FT)\d{3,4}\b"), "HOST"),
    (re.compile(r"\b(?:[a-z]{3}prd|eop-[A-Za-z]{3})\d{2}\b"), "REGION"),
    (re.compile(r"\b[0-9A-F]{12,16}\]"), "ID]"),
    (re.compile(r"\(10(?:\.\d{1,3}){3}\)"), "(10.INTERNAL)"),
    (re.compile(r"token=[A-Za-z0-9_-]+"), "token=…"),
    (re.compile(r"\b(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}\b"), r"\1:PORT"),
    (re.compile(r"\blocalhost:\d{1,5}\b"), "localhost:PORT"),
    (re.compile(r"(?<!\d)\d{1,2}:\d{2}:\d{2}(?:\.\d+)?"), "TIME"),
    (re.compile(r"(?<![\d.])\d+\.\d{3,}(?![\d.])"), "SECONDS"),
)


def normalise(text: str) -> str:
    """A view's text without what changes from run to run: times, ports, tokens, timings."""
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def static_digests() -> dict[str, str]:
    """A hash of each of the console's static files: any change to the page's look counts."""
    folder = resources.files("exolab.emulator.api").joinpath("static")
    return {
        entry.name: digest(entry.read_bytes())
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.is_file()
    }


async def _send_scans(lab: Lab) -> None:
    from exolab.devices import LabNetwork, Settings, load_profile, parse_job_spec, send_scan
    from exolab.devices.clock import FrozenClock

    network = LabNetwork.from_endpoints_file(lab.endpoints_path)
    for index, scan in enumerate(SCANS):
        profile = load_profile(scan.profile)
        await send_scan(
            profile,
            Settings.build(profile, scan.settings, source=f"scan {index + 1}"),
            parse_job_spec(scan.job),
            network,
            recipients=[scan.to],
            site=scan.site,
            rng_seed=SEED + index,
            clock=FrozenClock(LAB_TIME),
        )


async def _open(browser: Browser, lab: Lab, lang: str) -> Page:
    from playwright.async_api import expect

    token = json.loads(lab.endpoints_path.read_text("utf-8"))["api_token"]
    page = await browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
    await page.goto(f"{lab.context.endpoints.api}/console?lang={lang}#token={token}")
    await expect(page.locator("body")).to_have_attribute("data-live", "yes", timeout=WAIT)
    await expect(page.locator("#sessions li.session")).to_have_count(len(SCANS), timeout=WAIT)
    return page


async def _photograph(browser: Browser, lab: Lab, out: Path | None) -> dict[str, str]:
    texts: dict[str, str] = {}
    for lang in LANGS:
        page = await _open(browser, lab, lang)
        for view in VIEWS:
            await view.prepare(page)
            target = page.locator(view.selector or "body")
            texts[f"{view.name}.{lang}"] = normalise(await target.inner_text())
            if out is not None:
                path = out / f"{view.name}.{lang}.png"
                if view.selector is None:
                    await page.screenshot(path=str(path))
                else:
                    await target.screenshot(path=str(path))
        await page.close()
    return texts


async def capture(out: Path | None = None) -> dict[str, Any]:
    """Run the lab and the browser; the manifest, and with ``out`` the pictures written there.

    Returns the normalised texts too (under ``texts``), which are not part of the
    manifest but show what changed when the manifest does."""
    from playwright.async_api import async_playwright

    from exolab.emulator.lab import PortPlan
    from exolab.emulator.server import Lab, default_services
    from exolab.emulator.tenant import load_default_tenant, parse_assignment
    from exolab.scenarios.live import LiveExplainer

    tenant = load_default_tenant([parse_assignment(f"Lab.Seed={SEED}")])
    with tempfile.TemporaryDirectory(prefix="exolab-screens-") as data:
        lab = await Lab.start(
            tenant,
            data,
            ports=PortPlan(ephemeral=True),
            clock=FixedClock(LAB_TIME),
            services=default_services(tenant, LiveExplainer()),
        )
        async with lab:
            await _send_scans(lab)
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=CHROMIUM, args=list(CHROMIUM_ARGS)
                )
                try:
                    texts = await _photograph(browser, lab, out)
                finally:
                    await browser.close()
    return {"manifest": manifest(texts), "texts": texts}


def manifest(texts: dict[str, str]) -> dict[str, Any]:
    """What the pictures were made from; equal manifests mean the pictures are current."""
    return {
        "command": COMMAND,
        "lab_time": LAB_TIME.isoformat(),
        "seed": SEED,
        "static": static_digests(),
        "views": {
            name: {"png": f"{name}.png", "text_sha256": digest(text)}
            for name, text in sorted(texts.items())
        },
    }


def render_manifest(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def check_tools() -> None:
    """The browser and a Japanese font: without one, every Japanese picture shows empty boxes."""
    if not Path(CHROMIUM).exists():
        raise UsageError(
            f"{CHROMIUM} missing: install Debian's chromium (apt-get install chromium)"
        )
    fc_list = shutil.which("fc-list")
    families = (
        subprocess.run(
            [fc_list, ":lang=ja", "family"], capture_output=True, text=True, timeout=30
        ).stdout
        if fc_list
        else ""
    )
    if not families.strip():
        raise UsageError(
            "no Japanese font: install one (apt-get install fonts-noto-cjk), then run again"
        )


async def write_screens(docs: Path) -> list[Path]:
    """Photograph every view into ``docs/guide/screens`` and write its manifest."""
    check_tools()
    out = docs / SCREENS
    out.mkdir(parents=True, exist_ok=True)
    result = await capture(out)
    (out / MANIFEST).write_text(render_manifest(result["manifest"]), "utf-8")
    return [out / view["png"] for view in result["manifest"]["views"].values()] + [out / MANIFEST]
