"""A session's outcome in the console's language.

The session store keeps one English outcome line (``delivered 1 message(s)``,
``refused: 535 5.7.139 (auth.basic_disabled)``); ``exolab sessions`` and the
JSON API show it as it is. The Japanese console page renders the words around
it in Japanese and keeps the reply part (code, enhanced code, rule name, fault
name) exactly as recorded: that part is the server's and the catalog's, and a
trainer compares it with what the device printed.

An outcome this module does not recognise is shown unchanged, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Render = Callable[[re.Match[str]], str]

_JA: tuple[tuple[re.Pattern[str], Render], ...] = (
    (re.compile(r"delivered (\d+) message\(s\)"), lambda m: f"{m[1]} 件のメッセージを配信"),
    (re.compile(r"refused: (.*)", re.DOTALL), lambda m: f"拒否: {m[1]}"),
    (re.compile(r"closed without a message"), lambda m: "メッセージなしで切断"),
    (
        re.compile(r"TLS handshake failed: (.*)", re.DOTALL),
        lambda m: f"TLS ハンドシェイク失敗: {m[1]}",
    ),
    (
        re.compile(r"fault (.+?): delivered (\d+) message\(s\), 250 lost", re.DOTALL),
        lambda m: f"障害 {m[1]}: {m[2]} 件のメッセージを配信、250 応答は失われた",
    ),
    (
        re.compile(r"fault (.+?): connection reset at (\S+)", re.DOTALL),
        lambda m: f"障害 {m[1]}: {m[2]} で接続をリセット",
    ),
    (
        re.compile(r"fault (.+?): connection closed at (\S+)", re.DOTALL),
        lambda m: f"障害 {m[1]}: {m[2]} で切断",
    ),
    (
        re.compile(r"fault (.+?): TLS alert (\S+) at (\S+)", re.DOTALL),
        lambda m: f"障害 {m[1]}: {m[3]} で TLS アラート {m[2]}",
    ),
)


def outcome_text(outcome: str, lang: str) -> str:
    """``outcome`` for a page in ``lang`` (``en``: as recorded)."""
    if lang != "ja":
        return outcome
    for pattern, render in _JA:
        match = pattern.fullmatch(outcome)
        if match is not None:
            return render(match)
    return outcome
