"""`exolab docs`: regenerate the reference pages from the code and data they describe.

``--screenshots`` instead photographs the console for the trainer guides
(``exolab.cli.screens``): it needs Debian's Chromium and Playwright (the test
extra), so the plain command stays runnable without a browser.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from pathlib import Path

# page (relative to docs/) -> "module:function" that renders it
GENERATORS: dict[str, str] = {
    "reference/replies.md": "exolab.emulator.replies.docs:render_markdown",
    "reference/tenant.md": "exolab.emulator.tenant.docs:render_markdown",
    "devices/profile-format.md": "exolab.devices.docs:render_format",
    "devices/starter-profiles.md": "exolab.devices.docs:render_starters",
    "devices/quirks.md": "exolab.devices.docs:render_quirks",
    "reference/scenarios.md": "exolab.scenarios.docs:render_markdown",
    "reference/architecture.md": "exolab.architecture:render_markdown",
    "guide/cmdlets.md": "exolab.emulator.admin.docs:render_markdown",
}


def generated_pages() -> dict[str, str]:
    """Every generated page, freshly rendered."""
    pages = {}
    for page, target in GENERATORS.items():
        module_name, function = target.split(":")
        render: Callable[[], str] = getattr(importlib.import_module(module_name), function)
        pages[page] = render()
    return pages


def _run(args: argparse.Namespace) -> int:
    out: Path = args.out
    if args.screenshots:
        import asyncio

        from exolab.cli.screens import write_screens

        for path in asyncio.run(write_screens(out)):
            print(f"wrote {path}")
        return 0
    for page, text in generated_pages().items():
        (out / page).parent.mkdir(parents=True, exist_ok=True)
        (out / page).write_text(text, "utf-8")
        print(f"wrote {out / page}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("docs", help="regenerate the generated pages of docs/")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("docs"),
        metavar="DIR",
        help="where docs/ is (default: docs)",
    )
    parser.add_argument(
        "--screenshots",
        action="store_true",
        help="photograph the console's main views (en, ja) into DIR/guide/screens with "
        "/usr/bin/chromium, instead of writing the reference pages",
    )
    parser.set_defaults(handler=_run)
