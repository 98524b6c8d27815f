"""The console's pictures in docs/guide/screens are current, and the trainer guides show them.

PNG bytes differ between machines, so the check compares what made them:
the manifest's hash of each view's rendered text (times, ports and tokens
taken out) and of the console's static files, recomputed here by the same
lab, the same scans and the same browser as ``exolab docs --screenshots``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from exolab.cli.screens import (
    COMMAND,
    LANGS,
    MANIFEST,
    SCREENS,
    VIEWS,
    capture,
    normalise,
    static_digests,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"
RUN = f"run `{COMMAND}` (or `make screenshots`)"


def committed() -> dict[str, Any]:
    path = DOCS / SCREENS / MANIFEST
    assert path.exists(), f"{RUN}: docs/{SCREENS}/{MANIFEST} is missing"
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def test_normalise_takes_out_times_ports_tokens_and_made_up_host_names_only() -> None:
    text = (
        "· connect 127.10.0.1:41877 from 127.20.0.10:39001 \n"
        "← 220 … ready at Fri, 27 Nov 2026 09:30:00 +0000\n"
        "[JP8PR07CA2813.jpnprd07.prod.outlook.com 2026-11-27T09:30:00.123Z C86DD3A7B080]\n"
        "by SN1JPN04FT212.eop-jpn04.prod.protection.outlook.com (10.100.58.117)\n"
        "http://127.0.0.1:8025/console#token=abc_DEF-123 0.042 s 認証済み SMTP 203.0.113.39"
    )
    assert normalise(text) == (
        "· connect 127.10.0.1:PORT from 127.20.0.10:PORT\n"
        "← 220 … ready at Fri, 27 Nov 2026 TIME +0000\n"
        "[HOST.REGION.prod.outlook.com 2026-11-27TTIMEZ ID]\n"
        "by HOST.REGION.prod.protection.outlook.com (10.INTERNAL)\n"
        "http://127.0.0.1:PORT/console#token=… SECONDS s 認証済み SMTP 203.0.113.39"
    )


def test_the_manifest_names_every_view_in_every_language_and_its_picture() -> None:
    views = committed()["views"]
    assert sorted(views) == sorted(f"{v.name}.{lang}" for v in VIEWS for lang in LANGS)
    for name, view in views.items():
        picture = DOCS / SCREENS / view["png"]
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{RUN}: {picture} is missing"
        assert view["png"] == f"{name}.png"


@pytest.mark.parametrize("lang", LANGS)
def test_the_trainer_guide_shows_every_picture_of_its_language(lang: str) -> None:
    guide = (DOCS / "guide" / f"trainer.{lang}.md").read_text("utf-8")
    for view in VIEWS:
        assert f"](screens/{view.name}.{lang}.png)" in guide, (lang, view.name)


def test_the_console_files_are_the_ones_photographed() -> None:
    """Cheap first: a changed console.css or console.js needs new pictures."""
    changed = sorted(
        name
        for name in set(static_digests()) | set(committed()["static"])
        if static_digests().get(name) != committed()["static"].get(name)
    )
    assert changed == [], f"{RUN}: the console's {', '.join(changed)} changed since the pictures"


async def test_the_pictures_show_what_the_console_shows_today() -> None:
    fresh = await capture(None)
    manifest = fresh["manifest"]
    stale = sorted(
        name
        for name, view in manifest["views"].items()
        if committed()["views"].get(name, {}).get("text_sha256") != view["text_sha256"]
    )
    assert stale == [], f"{RUN}: docs/{SCREENS} shows an older console ({', '.join(stale)})"
    assert manifest == committed(), f"{RUN}: docs/{SCREENS}/{MANIFEST} is stale"
