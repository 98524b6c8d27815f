"""The compatibility matrix: every device profile against each documented set-up.

A firmware vendor's view: for each profile, what happens with SMTP AUTH on
smtp.office365.com:587, on smtp-legacy.office365.com with the tenant's
opt-in, and with direct send to the MX from the SPF-listed site. Each cell
is an ordinary scenario run (fresh lab, real sockets), built here from data;
the settings are what an administrator would type, bent only where the
device's settings page refuses them (a port field fixed to 465).
"""

from __future__ import annotations

import html
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from exolab.devices import Profile, list_profiles
from exolab.scenarios.loader import ScenarioFile
from exolab.scenarios.messages import Lang, Messages
from exolab.scenarios.model import LocalizedText, Scenario
from exolab.scenarios.result import ScenarioResult
from exolab.scenarios.runner import RunOptions, run_catalog

SCANNER = {"username": "scanner@contoso.com", "password": "Scan-2-Mail!"}


@dataclass(frozen=True)
class Setup:
    id: str
    title: LocalizedText
    server: str
    port: int
    tenant: tuple[str, ...] = ()
    authenticated: bool = True


SETUPS: tuple[Setup, ...] = (
    Setup(
        "smtp-auth",
        LocalizedText(
            en="SMTP AUTH smtp.office365.com:587",
            ja="SMTP AUTH クライアント送信 smtp.office365.com:587",
        ),
        "smtp.office365.com",
        587,
    ),
    Setup(
        "smtp-legacy",
        LocalizedText(
            en="SMTP AUTH smtp-legacy (opted in)",
            ja="SMTP AUTH クライアント送信 smtp-legacy (オプトイン済み)",
        ),
        "smtp-legacy.office365.com",
        587,
        ("TransportConfig.AllowLegacyTLSClients=true",),
    ),
    Setup(
        "direct-send",
        LocalizedText(
            en="Direct send, SPF-listed site", ja="ダイレクト送信 (SPF に登録済みの拠点)"
        ),
        "contoso-com.mail.protection.outlook.com",
        25,
        authenticated=False,
    ),
)


def _security(profile: Profile) -> str:
    modes = set(profile.security_modes)
    if modes & {"starttls", "opportunistic_starttls"}:
        return "starttls"
    return "implicit" if "implicit" in modes else "none"


def cell_scenario(profile: Profile, setup: Setup) -> Scenario:
    """The scenario for one cell: the typed settings a vendor's documentation would give."""
    allowed = profile.settings.ports
    port = setup.port if allowed is None or setup.port in allowed else allowed[0]
    settings: dict[str, object] = {
        "server": setup.server,
        "port": port,
        "security": _security(profile),
        "sender": "scanner@contoso.com",
    }
    if setup.authenticated and profile.auth.mechanisms:
        settings |= SCANNER
    return Scenario.model_validate(
        {
            "id": f"{profile.name}--{setup.id}",
            "title": {
                "en": f"{profile.name} / {setup.title.en}",
                "ja": f"{profile.name} / {setup.title.ja}",
            },
            "demonstrates": {
                "en": f"How {profile.name} fares with {setup.title.en}.",
                "ja": f"{profile.name} を「{setup.title.ja}」の構成で使った場合の結果です。",
            },
            "source": "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365",
            "recipients": ["alice@contoso.com"],
            "tenant": {
                "set": [
                    *setup.tenant,
                    "Lab.Port465Hold=2.0",
                    "TokenLifetimePolicy.DeviceCodeInterval=0",
                ]
            },
            "device": {
                "profile": profile.name,
                "settings": settings,
                "timeouts": {"connect": 1.0, "banner": 1.0, "reply": 5.0},
                # a device-code firmware needs a person to enter the code
                "approver": "scanner@contoso.com" if profile.oauth is not None else None,
            },
            "expect": {"outcome": "delivered"},
        }
    )


def matrix_items(profiles: Sequence[str] | None = None) -> list[ScenarioFile]:
    chosen = [p for p in list_profiles() if not profiles or p.name in profiles]
    unknown = sorted(set(profiles or ()) - {p.name for p in chosen})
    if unknown:
        raise ValueError(f"unknown profile(s): {', '.join(unknown)}")
    return [
        ScenarioFile(cell_scenario(p, s), Path(f"<matrix {p.name} {s.id}>"), s.id)
        for p in chosen
        for s in SETUPS
    ]


def cell_text(result: ScenarioResult) -> str:
    attempt = result.subject()
    if result.error or attempt is None:
        return f"error: {result.error}"
    text = attempt.outcome
    if attempt.outcome != "delivered":
        reply = " ".join(str(x) for x in (attempt.code, attempt.enhanced) if x)
        text += f" at {attempt.stage}" + (f" {reply}" if reply else "")
    else:
        where = [f"{m.folder}" for m in result.observation.stored] if result.observation else []
        if "Junk Email" in where:
            text += " (Junk Email)"
    if attempt.tls_version:
        text += f" [TLS {attempt.tls_version}]"
    return text


def run_matrix(
    profiles: Sequence[str] | None = None, jobs: int = 4
) -> tuple[dict[str, dict[str, ScenarioResult]], float]:
    items = matrix_items(profiles)
    results, wall = run_catalog(items, RunOptions(jobs=jobs))
    table: dict[str, dict[str, ScenarioResult]] = {}
    for item, result in zip(items, results, strict=True):
        table.setdefault(item.scenario.device.profile, {})[item.group] = result
    return table, wall


def _width(text: str) -> int:
    """Columns a string takes in a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def render_text(table: dict[str, dict[str, ScenarioResult]], lang: Lang = "en") -> str:
    profile = Messages(lang)("ui.profile")
    name_w = max([_width(n) for n in table] + [_width(profile)])
    cells = {p: {sid: cell_text(r) for sid, r in row.items()} for p, row in table.items()}
    titles = {s.id: s.title.get(lang) for s in SETUPS}
    widths = {
        s.id: max([_width(titles[s.id])] + [_width(c.get(s.id, "")) for c in cells.values()])
        for s in SETUPS
    }
    head = f"{_pad(profile, name_w)}  " + "  ".join(
        _pad(titles[s.id], widths[s.id]) for s in SETUPS
    )
    lines = [head, "-" * _width(head)]
    for name, row in cells.items():
        lines.append(
            f"{name:<{name_w}}  "
            + "  ".join(f"{row.get(s.id, '-'):<{widths[s.id]}}" for s in SETUPS)
        )
    return "\n".join(lines) + "\n"


def render_json(table: dict[str, dict[str, ScenarioResult]], wall: float) -> str:
    doc = {
        "wall_seconds": round(wall, 3),
        "setups": [{"id": s.id, "title": s.title.en, "title_ja": s.title.ja} for s in SETUPS],
        "profiles": {
            name: {
                sid: {"summary": cell_text(r), "result": r.got_summary()} for sid, r in row.items()
            }
            for name, row in table.items()
        },
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_html(table: dict[str, dict[str, ScenarioResult]], lang: Lang = "en") -> str:
    msg = Messages(lang)
    head = "".join(f"<th>{html.escape(s.title.get(lang))}</th>" for s in SETUPS)
    rows = []
    for name, row in table.items():
        tds = []
        for s in SETUPS:
            r = row.get(s.id)
            text = cell_text(r) if r else "-"
            ok = text.startswith("delivered") and "Junk" not in text
            tds.append(f'<td class="{"ok" if ok else "no"}">{html.escape(text)}</td>')
        rows.append(f"<tr><th>{html.escape(name)}</th>{''.join(tds)}</tr>")
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(msg('ui.matrix'))}</title>"
        "<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left}.ok{background:#e6f6ea}"
        f".no{{background:#fde8e8}}</style></head><body><h1>{html.escape(msg('ui.matrix'))}</h1>"
        f"<table><tr><th>{html.escape(msg('ui.profile'))}</th>{head}</tr>{''.join(rows)}</table>"
        "</body></html>\n"
    )
