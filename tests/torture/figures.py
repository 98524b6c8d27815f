"""What one check found, and the one table that shows every check."""

from __future__ import annotations

from dataclasses import dataclass, field

EXAMPLES = 5


@dataclass
class Figures:
    """Counts of one check. The hard classes (everything but ``failed`` and ``duplicates``)
    fail the run; ``failed`` counts tries that went wrong in a softer way (a refused
    legitimate message, a normal client that timed out), ``duplicates`` are only reported."""

    check: str
    tried: int = 0
    failed: int = 0
    lost: int = 0
    truncated: int = 0
    duplicates: int = 0
    split: int = 0
    injected: int = 0
    crashes: int = 0
    foreign: int = 0
    leaks: int = 0
    notes: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    HARD = ("lost", "truncated", "split", "injected", "crashes", "foreign", "leaks")

    @property
    def broken(self) -> int:
        """How many hard findings: any of them fails the run."""
        return sum(getattr(self, name) for name in self.HARD)

    @property
    def ok(self) -> bool:
        return self.broken == 0

    def example(self, text: str) -> None:
        """Keep the first few offending lines so a failure can be read, not only counted."""
        if len(self.examples) < EXAMPLES:
            self.examples.append(text[:300])


COLUMNS = (
    ("check", "check"),
    ("tried", "tried"),
    ("failed", "failed"),
    ("lost", "lost"),
    ("torn", "truncated"),
    ("dup", "duplicates"),
    ("split", "split"),
    ("injected", "injected"),
    ("crashes", "crashes"),
    ("foreign", "foreign"),
    ("leaks", "leaks"),
)


def table(rows: list[Figures]) -> str:
    """One fixed-width table; notes and examples follow it, check by check."""
    cells = [[title for title, _ in COLUMNS]]
    for row in rows:
        cells.append([str(getattr(row, attr)) for _, attr in COLUMNS])
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    out = []
    for n, line in enumerate(cells):
        first = line[0].ljust(widths[0])
        rest = [cell.rjust(w) for cell, w in zip(line[1:], widths[1:], strict=True)]
        out.append("  ".join([first, *rest]))
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    for row in rows:
        for note in row.notes:
            out.append(f"{row.check}: {note}")
        for text in row.examples:
            out.append(f"{row.check}: example: {text}")
    verdict = "PASS" if all(r.ok for r in rows) else "FAIL"
    out.append(f"torture: {verdict}")
    return "\n".join(out)
