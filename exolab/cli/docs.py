"""`exolab docs`: regenerate the reference pages from the code and data they describe."""

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
    "reference/scenarios.md": "exolab.scenarios.docs:render_markdown",
    "reference/architecture.md": "exolab.architecture:render_markdown",
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
    parser.set_defaults(handler=_run)
