"""The terminal table and the progress display (a live line on a TTY, plain lines otherwise)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from exolab.scenarios.messages import Lang, Messages
from exolab.scenarios.reports.width import clip as _clip
from exolab.scenarios.reports.width import display_width, pad
from exolab.scenarios.result import ScenarioResult

STATUS_MARK = {"passed": "ok", "failed": "FAIL", "error": "ERR"}


def render_table(
    results: Sequence[ScenarioResult], wall_seconds: float, lang: str = "en", width: int = 120
) -> str:
    """The table every run prints, then each failure's difference in full."""
    language: Lang = "ja" if lang == "ja" else "en"
    msg = Messages(language)
    # Padding counts display columns: a Japanese heading takes two per character.
    name_w = max([display_width(_name(r)) for r in results] + [display_width(msg("ui.title")), 10])
    rest = max(width - name_w - 16, 40)
    half = rest // 2
    lines = [
        f"{'':4}  {pad(msg('ui.title'), name_w)}  {pad(msg('ui.expected'), half)}  {msg('ui.got')}",
    ]
    for r in results:
        lines.append(
            f"{STATUS_MARK[r.status]:<4}  {pad(_name(r), name_w)}  "
            f"{pad(_clip(r.expected_summary(), half), half)}  {_clip(r.got_summary(), rest - half)}"
        )
    failures = [r for r in results if not r.passed]
    for r in failures:
        lines += ["", f"{STATUS_MARK[r.status]} {_name(r)}: {r.title.get(language)}"]
        lines.append(f"  {msg('ui.expected')}: {r.expected_summary()}")
        lines.append(f"  {msg('ui.got')}:      {r.got_summary()}")
        lines += [f"    - {d.render()}" for d in r.differences]
        if r.error:
            lines.append(f"    - {r.error}")
    passed = len(results) - len(failures)
    lines += ["", msg("ui.summary", passed=passed, total=len(results)) + f" ({wall_seconds:.2f}s)"]
    return "\n".join(lines) + "\n"


def _name(result: ScenarioResult) -> str:
    return f"{result.group}/{result.id}" if result.group else result.id


class Progress:
    """Shows how far a run is: one rewritten line on a TTY, one line per result otherwise."""

    def __init__(self, total: int, stream: TextIO, quiet: bool = False) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.stream = stream
        self.quiet = quiet
        self.tty = stream.isatty()

    def update(self, result: ScenarioResult) -> None:
        self.done += 1
        self.failed += not result.passed
        if self.quiet:
            return
        if self.tty:
            bar = f"[{self.done}/{self.total}] {self.failed} failing  {_name(result)}"
            self.stream.write("\r\033[K" + _clip(bar, 100))
        else:
            self.stream.write(
                f"[{self.done}/{self.total}] {STATUS_MARK[result.status]} {_name(result)}\n"
            )
        self.stream.flush()

    def finish(self) -> None:
        if self.tty and not self.quiet:
            self.stream.write("\r\033[K")
            self.stream.flush()
