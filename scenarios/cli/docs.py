"""`exolab docs`: regenerate the reference pages from the code and data they describe."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from pathlib import Path

# page name -> module whose render_markdown() produces it
GENERATORS: dict[str, str] = {
    "replies.md": "emulator.replies.docs",
    "tenant.md": "emulator.tenant.docs",
    "profiles.md": "devices.docs",
    "scenarios.md": "scenarios.docs",
}


def generated_pages() -> dict[str, str]:
    """Every reference page, freshly rendered."""
    pages = {}
    for page, module_name in GENERATORS.items():
        render: Callable[[], str] = importlib.import_module(module_name).render_markdown
        pages[page] = render()
    return pages


def _run(args: argparse.Namespace) -> int:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for page, text in generated_pages().items():
        (out / page).write_text(text, "utf-8")
        print(f"wrote {out / page}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("docs", help="regenerate docs/reference from the code")
    parser.add_argument("--out", type=Path, default=Path("docs/reference"), metavar="DIR")
    parser.set_defaults(handler=_run)
