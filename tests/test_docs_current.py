"""The generated reference pages in docs/ match what the code says today."""

from __future__ import annotations

from pathlib import Path

import pytest

from exolab.cli.docs import GENERATORS, generated_pages

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return generated_pages()


@pytest.mark.parametrize("page", sorted(GENERATORS))
def test_reference_page_is_current(page: str, pages: dict[str, str]) -> None:
    committed = (DOCS / page).read_text("utf-8")
    assert committed == pages[page], f"run `make docs`: docs/{page} is stale"
