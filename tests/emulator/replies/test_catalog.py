"""The reply catalog is the only place reply texts live, and it is well formed."""

from __future__ import annotations

import random
import re
import string
from pathlib import Path

import pytest

from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.replies import FrontEndNames, Renderer, Stage, Trailer, catalog, rfc1123
from exolab.emulator.replies.model import Certainty, Reply

ROOT = Path(__file__).resolve().parents[3]
REPLIES = catalog.all_replies()


def test_ids_are_unique() -> None:
    ids = [r.id for r in REPLIES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 50


@pytest.mark.parametrize("reply", REPLIES, ids=lambda r: r.id)
def test_entry_is_well_formed(reply: Reply) -> None:
    assert 200 <= reply.code <= 599
    if reply.enhanced is not None:
        assert re.fullmatch(r"[245]\.\d{1,3}\.\d{1,3}", reply.enhanced)
        assert reply.enhanced[0] == str(reply.code)[0] or reply.class_conflict
    assert reply.source.strip()
    assert reply.certainty in Certainty
    if reply.certainty is Certainty.CHOSEN:
        assert reply.note or "RFC" in reply.source, "a CHOSEN reply says why"


def test_enhanced_code_must_match_the_class() -> None:
    with pytest.raises(ValueError, match="does not match"):
        Reply("x", 535, "4.7.3", "t", Stage.AUTH, "s", Certainty.CHOSEN)


def _renderer(style: str = "modern", seed: int = 7) -> Renderer:
    rng = random.Random(seed)
    return Renderer(
        FrontEndNames.submission(rng),
        FixedClock(utc(2024, 7, 11, 11, 46)),
        rng,
        style,  # type: ignore[arg-type]
    )


def test_banner_matches_the_documented_shape() -> None:
    r = _renderer()
    [line] = r.lines(catalog.BANNER, host=r.names.banner_host, date=rfc1123(r.clock.now()))
    assert re.fullmatch(
        r"220 [A-Z0-9]+\.outlook\.office365\.com Microsoft ESMTP MAIL Service ready at "
        r"Thu, 11 Jul 2024 11:46:00 \+0000",
        line,
    )


def test_rfc1123_day_is_not_zero_padded() -> None:
    assert rfc1123(utc(2022, 3, 9, 3, 43)) == "Wed, 9 Mar 2022 03:43:00 +0000"


def test_ehlo_after_tls_offers_login_and_xoauth2_only() -> None:
    r = _renderer()
    lines = r.lines(catalog.EHLO_SUBMISSION_TLS, host="H", client_ip="203.0.113.39", size=157286400)
    assert lines[0] == "250-H Hello [203.0.113.39]"
    assert lines[-1] == "250 SMTPUTF8"
    assert "250-AUTH LOGIN XOAUTH2" in lines and "250-STARTTLS" not in lines
    assert lines.index("250-AUTH LOGIN XOAUTH2") == lines.index("250-ENHANCEDSTATUSCODES") + 1
    plain = r.lines(catalog.EHLO_SUBMISSION_PLAIN, host="H", client_ip="1.2.3.4", size=157286400)
    assert not any("AUTH" in line for line in plain) and "250-STARTTLS" in plain


def test_trailers_modern_and_classic() -> None:
    modern = _renderer("modern").lines(catalog.AUTH_FAILED)[0]
    assert re.fullmatch(
        r"535 5\.7\.3 Authentication unsuccessful \[[A-Z0-9]+\.[a-z]+\d\d\.prod\.outlook\.com "
        r"2024-07-11T11:46:00\.000Z [0-9A-F]{16}\]",
        modern,
    )
    classic = _renderer("classic").lines(catalog.AUTH_FAILED)[0]
    assert re.fullmatch(r"535 5\.7\.3 Authentication unsuccessful \[[A-Za-z0-9.]+\]", classic)
    storedrv = _renderer().lines(catalog.EOD_SUBMITTED, message_id="a@b")[0]
    assert re.fullmatch(
        r"250 2\.0\.0 OK <a@b> \[Hostname=[A-Z0-9]+\.[a-z]+\d\d\.prod\.outlook\.com\]", storedrv
    )


def test_same_seed_same_bytes() -> None:
    first = [_renderer(seed=3).lines(r, **_params(r)) for r in REPLIES]
    again = [_renderer(seed=3).lines(r, **_params(r)) for r in REPLIES]
    other = [_renderer(seed=4).lines(r, **_params(r)) for r in REPLIES]
    assert first == again
    assert first != other


def _params(reply: Reply) -> dict[str, object]:
    names = {
        n
        for text in (reply.text, *reply.lines)
        for _, n, _, _ in string.Formatter().parse(text)
        if n
    }
    return {n: f"<{n}>" for n in names}


@pytest.mark.parametrize("reply", REPLIES, ids=lambda r: r.id)
def test_every_entry_renders_to_valid_smtp_lines(reply: Reply) -> None:
    lines = _renderer().lines(reply, **_params(reply))
    for line in lines[:-1]:
        assert line.startswith(f"{reply.code}-")
    assert lines[-1].startswith(f"{reply.code} ")
    assert all("\r" not in line and "\n" not in line for line in lines)
    if reply.trailer is Trailer.NONE:
        assert "[Hostname=" not in lines[-1]


def test_no_reply_literal_outside_the_catalog() -> None:
    """Reply texts live in one place: emulator/replies/catalog.py."""
    pattern = re.compile(r"['\"][2-5]\d\d[ -][2-5]\.\d{1,3}\.\d{1,3}")
    offenders = []
    for path in sorted((ROOT / "emulator").rglob("*.py")):
        if path == ROOT / "emulator" / "replies" / "catalog.py":
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
