"""One self-contained HTML file a trainer can open offline: inline CSS, no external assets.

The table first (one row per scenario, linking to its section), then each
scenario: what it demonstrates, the source, expected vs. got, the
differences, the cause and fix, and the device's transcript with the step
where it went wrong highlighted.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from exolab.scenarios.links import localize_links
from exolab.scenarios.messages import Lang, Messages
from exolab.scenarios.result import ScenarioResult

CSS = """
body{font:14px/1.6 system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans CJK JP",
"Yu Gothic","Meiryo",sans-serif;margin:2em auto;max-width:1100px;color:#1b1b1b;padding:0 1em;
overflow-wrap:anywhere;word-break:normal;line-break:strict}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-top:1px solid #ddd;padding-top:1em}
table{border-collapse:collapse;width:100%;table-layout:fixed}th,td{text-align:left;padding:.3em .5em;
border-bottom:1px solid #eee;vertical-align:top}th{background:#f4f4f4}
th:first-child,td:first-child{width:5em}
.passed{color:#0a6b2d}.failed,.error{color:#b00020;font-weight:600}
.transcript{font:12px/1.35 ui-monospace,Consolas,"Noto Sans Mono CJK JP",monospace;background:#fafafa;
border:1px solid #e5e5e5;padding:.5em;white-space:pre-wrap;overflow-wrap:anywhere}
.transcript div{padding:0 .3em}.C{color:#0b3d91}.S{color:#333}.note{color:#777;font-style:italic}
.bad{background:#ffe3e3;border-left:4px solid #b00020}
.diff{background:#fff4f4;border:1px solid #f3c0c0;padding:.5em 1em}
dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2em 1em}dt{font-weight:600}
dd{margin:0;min-width:0}small{color:#666}
"""


def render_html(
    results: Sequence[ScenarioResult], wall_seconds: float, lang: Lang = "en", title: str = ""
) -> str:
    msg = Messages(lang)
    passed = sum(r.passed for r in results)
    heading = title or "exolab"
    parts = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(heading)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(heading)}</h1>",
        f"<p>{escape(msg('ui.summary', passed=passed, total=len(results)))}"
        f" <small>({wall_seconds:.2f}s)</small></p>",
        _table(results, msg),
    ]
    parts += [_section(r, msg) for r in results]
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _status(result: ScenarioResult, msg: Messages) -> str:
    label = {"passed": "ui.passed", "failed": "ui.failed", "error": "ui.error"}[result.status]
    return f'<span class="{result.status}">{escape(msg(label))}</span>'


def _table(results: Sequence[ScenarioResult], msg: Messages) -> str:
    rows = [
        f"<tr><th></th><th>{escape(msg('ui.title'))}</th><th>{escape(msg('ui.expected'))}</th>"
        f"<th>{escape(msg('ui.got'))}</th></tr>"
    ]
    for r in results:
        rows.append(
            f"<tr><td>{_status(r, msg)}</td>"
            f'<td><a href="#{escape(r.id)}">{escape(r.group + "/" if r.group else "")}'
            f"{escape(r.id)}</a><br><small>{escape(r.title.get(msg.lang))}</small></td>"
            f"<td>{escape(r.expected_summary())}</td><td>{escape(r.got_summary())}</td></tr>"
        )
    return "<table>" + "".join(rows) + "</table>"


def _section(r: ScenarioResult, report_msg: Messages) -> str:
    # Each scenario's cause and fix speak of its own mailbox, site and address.
    msg = Messages(report_msg.lang, **(r.extra.get("context") or {}))
    out = [
        f'<h2 id="{escape(r.id)}">{_status(r, msg)} {escape(r.title.get(msg.lang))} <small>{escape(r.id)}</small></h2>',
        "<dl>",
        f"<dt>{escape(msg('ui.rule'))}</dt><dd>{escape(r.demonstrates.get(msg.lang))}</dd>",
        f"<dt>{escape(msg('ui.source'))}</dt><dd>{_link(r.source, msg.lang)}</dd>",
        f"<dt>{escape(msg('ui.expected'))}</dt><dd>{escape(r.expected_summary())}</dd>",
        f"<dt>{escape(msg('ui.got'))}</dt><dd>{escape(r.got_summary())}</dd>",
    ]
    if r.fix and msg.has(f"fix.{r.fix}.cause"):
        out.append(
            f"<dt>{escape(msg('ui.cause'))}</dt>"
            f"<dd>{escape(localize_links(msg(f'fix.{r.fix}.cause'), msg.lang))}</dd>"
        )
        out.append(
            f"<dt>{escape(msg('ui.fix'))}</dt>"
            f"<dd>{escape(localize_links(msg(f'fix.{r.fix}.action'), msg.lang))}</dd>"
        )
    out.append("</dl>")
    if r.differences or r.error:
        items = [f"<li>{escape(d.render())}</li>" for d in r.differences]
        if r.error:
            items.append(f"<li>{escape(r.error)}</li>")
        out.append(
            f'<div class="diff"><p>{escape(msg("ui.not_as_expected"))}</p><ul>{"".join(items)}</ul></div>'
        )
    out.append(_transcript(r, msg))
    return "\n".join(out)


def _link(source: str, lang: Lang) -> str:
    """The source as a link, to the reader's language's page where Microsoft has one."""
    source = localize_links(source, lang)
    if source.startswith(("https://", "http://")):
        return f'<a href="{escape(source)}">{escape(source)}</a>'
    return escape(source)


def _transcript(r: ScenarioResult, msg: Messages) -> str:
    attempt = r.subject()
    if attempt is None or not attempt.transcript:
        return f"<p><small>{escape(msg('ui.no_transcript'))}</small></p>"
    rows = []
    for index, line in enumerate(attempt.transcript):
        classes = "note" if line.dir == "*" else line.dir
        if index == r.failing_step:
            classes += " bad"
        title = f' title="{escape(msg("ui.wrong_here"))}"' if index == r.failing_step else ""
        rows.append(
            f'<div class="{classes}"{title}>{line.t:7.3f} {escape(line.dir)} {escape(line.line)}</div>'
        )
    return '<div class="transcript">' + "".join(rows) + "</div>"
