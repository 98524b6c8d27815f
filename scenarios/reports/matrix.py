"""The matrix as a terminal table, JSON and one HTML page; reads ``Cell`` values only.

A cell whose reason does not fit a table cell (a refused setting, a run that
broke) shows its outcome and a note number; the notes below the table give
the reason in full, and the JSON and HTML carry it in every cell.
"""

from __future__ import annotations

import html
import json

from exolab.scenarios.matrix import ERROR, REFUSED_SETTING, SETUPS, Cell
from exolab.scenarios.messages import Lang, Messages
from exolab.scenarios.reports.width import display_width as _width
from exolab.scenarios.reports.width import pad as _pad

Table = dict[str, dict[str, Cell]]
# Japanese fonts by name, and long replies and profile names wrap inside their cell
# (a fixed table layout shares the window's width) rather than widening the page.
MATRIX_CSS = (
    'body{font:14px/1.5 system-ui,"Hiragino Sans","Noto Sans CJK JP","Yu Gothic","Meiryo",'
    "sans-serif;margin:2em;overflow-wrap:anywhere;line-break:strict}"
    "table{border-collapse:collapse;table-layout:fixed;width:100%}"
    "td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}"
    ".ok{background:#e6f6ea}.no{background:#fde8e8}"
)
NOTED = (REFUSED_SETTING, ERROR)


def cell_text(cell: Cell) -> str:
    """The short text of one cell: outcome, stage and reply, storage folder, TLS version."""
    if cell.result is None or cell.outcome in NOTED:
        return cell.outcome
    attempt = cell.result.subject()
    if attempt is None:
        return cell.outcome
    text = attempt.outcome
    if attempt.outcome != "delivered":
        reply = " ".join(str(x) for x in (attempt.code, attempt.enhanced) if x)
        text += f" at {attempt.stage}" + (f" {reply}" if reply else "")
    else:
        observation = cell.result.observation
        where = [m.folder for m in observation.stored] if observation else []
        if "Junk Email" in where:
            text += " (Junk Email)"
    if attempt.tls_version:
        text += f" [TLS {attempt.tls_version}]"
    return text


def is_good(cell: Cell) -> bool:
    """Delivered to the Inbox: what a vendor wants in every cell."""
    text = cell_text(cell)
    return text.startswith("delivered") and "Junk" not in text


def render_text(table: Table, lang: Lang = "en") -> str:
    """The table, then one numbered note per refused or broken cell with its reason."""
    profile = Messages(lang)("ui.profile")
    titles = {s.id: s.title.get(lang) for s in SETUPS}
    notes: list[str] = []
    cells: dict[str, dict[str, str]] = {}
    for name, row in table.items():
        cells[name] = {}
        for s in SETUPS:
            cell = row.get(s.id)
            if cell is None:
                cells[name][s.id] = "-"
                continue
            text = cell_text(cell)
            if cell.outcome in NOTED:
                notes.append(f"[{len(notes) + 1}] {name} / {titles[s.id]}: {cell.detail_in(lang)}")
                text += f" [{len(notes)}]"
            cells[name][s.id] = text
    name_w = max([_width(n) for n in table] + [_width(profile)])
    widths = {
        s.id: max([_width(titles[s.id])] + [_width(c[s.id]) for c in cells.values()])
        for s in SETUPS
    }
    head = f"{_pad(profile, name_w)}  " + "  ".join(
        _pad(titles[s.id], widths[s.id]) for s in SETUPS
    )
    lines = [head, "-" * _width(head)]
    for name, texts in cells.items():
        lines.append(
            f"{_pad(name, name_w)}  " + "  ".join(_pad(texts[s.id], widths[s.id]) for s in SETUPS)
        )
    return "\n".join([*lines, *notes]) + "\n"


def render_json(table: Table, wall: float) -> str:
    """Per cell: ``summary`` (the table text), ``result`` (the run's summary),
    ``outcome`` (one of ``MATRIX_OUTCOMES``), ``detail`` (the reply or the reason) and
    ``detail_ja`` (the same in Japanese where the device's reason has a translation)."""
    doc = {
        "wall_seconds": round(wall, 3),
        "setups": [{"id": s.id, "title": s.title.en, "title_ja": s.title.ja} for s in SETUPS],
        "profiles": {
            name: {
                sid: {
                    "summary": cell_text(c),
                    "result": c.result.got_summary() if c.result else f"{c.outcome}: {c.detail}",
                    "outcome": c.outcome,
                    "detail": c.detail,
                    "detail_ja": c.detail_in("ja"),
                }
                for sid, c in row.items()
            }
            for name, row in table.items()
        },
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_html(table: Table, lang: Lang = "en") -> str:
    msg = Messages(lang)
    head = "".join(f"<th>{html.escape(s.title.get(lang))}</th>" for s in SETUPS)
    rows = []
    for name, row in table.items():
        tds = []
        for s in SETUPS:
            cell = row.get(s.id)
            if cell is None:
                tds.append('<td class="no">-</td>')
                continue
            text = html.escape(cell_text(cell))
            if cell.outcome in NOTED:
                text += f"<br><small>{html.escape(cell.detail_in(lang))}</small>"
            tds.append(f'<td class="{"ok" if is_good(cell) else "no"}">{text}</td>')
        rows.append(f"<tr><th>{html.escape(name)}</th>{''.join(tds)}</tr>")
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(msg('ui.matrix'))}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{MATRIX_CSS}</style></head><body><h1>{html.escape(msg('ui.matrix'))}</h1>"
        f"<table><tr><th>{html.escape(msg('ui.profile'))}</th>{head}</tr>{''.join(rows)}</table>"
        "</body></html>\n"
    )
