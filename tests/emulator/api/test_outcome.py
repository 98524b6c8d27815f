"""A session's outcome on the Japanese console: the words localised, the reply kept as sent."""

from __future__ import annotations

import pytest

from exolab.emulator.api.outcome import outcome_text

CASES = (
    ("delivered 1 message(s)", "1 件のメッセージを配信"),
    ("refused: 535 5.7.139 (auth.basic_disabled)", "拒否: 535 5.7.139 (auth.basic_disabled)"),
    ("closed without a message", "メッセージなしで切断"),
    ("TLS handshake failed: SSLError", "TLS ハンドシェイク失敗: SSLError"),
    ("fault drop-1: connection reset at data", "障害 drop-1: data で接続をリセット"),
    ("fault drop-1: connection closed at rcpt", "障害 drop-1: rcpt で切断"),
    (
        "fault lose: delivered 2 message(s), 250 lost",
        "障害 lose: 2 件のメッセージを配信、250 応答は失われた",
    ),
    (
        "fault a: TLS alert handshake_failure at tls",
        "障害 a: tls で TLS アラート handshake_failure",
    ),
)


@pytest.mark.parametrize(("outcome", "japanese"), CASES)
def test_each_outcome_the_lab_records_reads_in_japanese(outcome: str, japanese: str) -> None:
    assert outcome_text(outcome, "ja") == japanese
    assert outcome_text(outcome, "en") == outcome


def test_an_outcome_it_does_not_know_is_shown_unchanged() -> None:
    assert outcome_text("something new", "ja") == "something new"
    assert outcome_text("", "ja") == ""
