"""Lab.ReplyTrailer=classic picks the older confirmed wordings as well as the older trailer."""

from __future__ import annotations

import random

import pytest

from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.replies import FrontEndNames, Renderer, catalog
from exolab.emulator.replies.model import Certainty, Reply


def renderer(style: str) -> Renderer:
    rng = random.Random(7)
    names = FrontEndNames.submission(rng)
    return Renderer(names, FixedClock(utc(2021, 3, 12, 9, 0)), rng, style)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("modern", "classic_line"),
    [
        (
            catalog.MAIL_NOT_AUTHENTICATED,
            "530 5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM",
        ),
        (
            catalog.EOD_SEND_AS_DENIED,
            "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied;"
            " Failed to process message due to a permanent exception with message Cannot submit "
            "message. 0.35250:",
        ),
        (
            catalog.DATA_THREAD_LIMIT,
            "432 4.3.2 Concurrent connections limit exceeded. Visit https://aka.ms/concurrent_sending",
        ),
    ],
)
def test_classic_era_sends_the_older_wording(modern: Reply, classic_line: str) -> None:
    params = {"last_error": "", "user": "scanner@contoso.com", "sender": "alice@contoso.com"}
    [classic] = renderer("classic").lines(modern, **params)
    assert classic.startswith(classic_line)
    [now] = renderer("modern").lines(modern, **params)
    assert not now.startswith(classic_line[:30])
    assert catalog.CLASSIC_WORDING[modern.id].certainty is Certainty.CONFIRMED


def test_classic_trailer_is_the_bare_host() -> None:
    r = renderer("classic")
    [line] = r.lines(catalog.MAIL_NOT_AUTHENTICATED, last_error="")
    assert line.endswith(f" [{r.names.trailer_host}]")


def test_replies_without_an_older_wording_are_unchanged() -> None:
    [line] = renderer("classic").lines(catalog.AUTH_BASIC_DISABLED)
    assert line.startswith("535 5.7.139 Authentication unsuccessful, basic authentication is")
