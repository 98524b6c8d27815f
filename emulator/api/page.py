"""The lab's one web page: mailboxes with their folders, and the latest sessions."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from exolab.emulator.store import FOLDERS, SessionRecord
from exolab.emulator.tenant import Tenant

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin-bottom:2rem}
td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;font-size:.9rem}
th{background:#f3f3f3} code{font-size:.85rem}
"""


def _capture_links(files: Mapping[str, str | None] | None) -> str:
    """Download links of a recorded session (the key log needs the API token)."""
    if not files or not files.get("pcap_url"):
        return ""
    links = f"<a href='{escape(files['pcap_url'] or '')}' download>pcap</a>"
    if files.get("keylog_url"):
        links += f" <a href='{escape(files['keylog_url'] or '')}' download>keys</a>"
    return links


def render_page(
    tenant: Tenant,
    counts: dict[tuple[str, str], int],
    sessions: list[SessionRecord],
    captures: Mapping[int, Mapping[str, str | None]] | None = None,
) -> str:
    """``counts``: copies per (mailbox, folder); ``sessions``: the latest ones, oldest first;
    ``captures``: the capture files of the sessions the lab recorded, by session id."""
    captures = captures or {}
    head = "".join(f"<th>{escape(f)}</th>" for f in FOLDERS)
    rows = []
    for mbx in tenant.mailbox:
        cells = "".join(f"<td>{counts.get((mbx.primary_smtp_address, f), 0)}</td>" for f in FOLDERS)
        rows.append(f"<tr><td>{escape(mbx.primary_smtp_address)}</td>{cells}</tr>")
    outbound = sum(n for (_, folder), n in counts.items() if folder == "Outbound")
    latest = []
    for record in sessions[::-1]:
        latest.append(
            "<tr>"
            f"<td>{record.id}</td><td>{escape(record.endpoint)}:{record.port}</td>"
            f"<td>{escape(record.public_ip)}</td><td>{escape(record.identity or '')}</td>"
            f"<td>{escape(record.tls_version or '')}</td><td>{escape(record.outcome)}</td>"
            f"<td>{_capture_links(captures.get(record.id))}</td>"
            "</tr>"
        )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>exolab: {escape(tenant.tenant.name)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>exolab: {escape(tenant.tenant.name)}</h1>"
        f"<h2>Mailboxes</h2><table><tr><th>mailbox</th>{head}</tr>{''.join(rows)}</table>"
        f"<p>Outbound (the internet): {outbound}</p>"
        "<h2>Latest sessions</h2><table><tr><th>id</th><th>endpoint</th><th>public IP</th>"
        "<th>identity</th><th>TLS</th><th>outcome</th><th>capture</th></tr>"
        f"{''.join(latest)}</table>"
        "<p>JSON: <code>/api/messages</code>, <code>/api/sessions</code>, "
        "<code>/api/tenant</code>, <code>/api/endpoints</code></p></body></html>"
    )
