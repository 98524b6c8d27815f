"""The benchmark record: every figure with its target and verdict, and the machine it ran on."""

from __future__ import annotations

from pathlib import Path

from benchmarks.__main__ import cases
from benchmarks.record import Figure, machine, render, write

ROOT = Path(__file__).resolve().parents[1]


def test_the_record_lists_every_figure_with_its_target_and_the_machine(tmp_path: Path) -> None:
    figures = [
        Figure("submission 10 KB", "lab 610/s vs sink 600/s", "1.02x", ">= 1.0x", True, "x"),
        Figure("catalog, 2 scenarios", "mean 0.5 s", "3.4 s", "<= 3 s", False),
    ]
    path = write(figures, tmp_path / "benchmarks.md")
    text = path.read_text()
    assert "| submission 10 KB | lab 610/s vs sink 600/s (x) | 1.02x | >= 1.0x | ok |" in text
    assert "| catalog, 2 scenarios | mean 0.5 s | 3.4 s | <= 3 s | below target |" in text
    host = machine()
    for key in ("CPU", "cores", "Python"):
        assert f"| {key} | {host[key]} |" in text
    assert "| date | 2" in text  # the wall clock's date: a record is a measurement


def test_every_case_the_issue_names_is_run_by_make_bench() -> None:
    assert {"submission", "directsend", "catalog", "fleet", "fleet_rate"} <= set(cases())
    makefile = (ROOT / "Makefile").read_text()
    assert "bench-record:" in makefile and "-m benchmarks --record" in makefile
    assert render([], machine(), "x").count("| verdict |") == 1
