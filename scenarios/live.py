"""Explanations for the lab console: a live session or a stored message, in the catalog's words.

The console is served by the emulator, which knows nothing of the message
catalog (it lives here, above the emulator); the app shell hands a
``LiveExplainer`` to the lab API, so a session on the console is explained
with the same sentences ``exolab explain`` prints for a scenario.
"""

from __future__ import annotations

import re
from typing import Any

from exolab.scenarios.explain import _client_meaning, _group_replies, _note_meaning, match_reply
from exolab.scenarios.messages import LANGS, Lang, Messages
from exolab.scenarios.result import Line

_REPLY_LINE = re.compile(r"^(\d{3})([ -])(.*)$")
_ADDRESS = re.compile(r"<([^>]*)>")
_RESULT = re.compile(r"\b(spf|dmarc|compauth)=([a-z]+)", re.IGNORECASE)
SCL_HEADER = "x-ms-exchange-organization-scl"


def _lang(lang: str) -> Lang:
    return "ja" if lang == "ja" else "en"


def _first(lines: list[Line], verb: str) -> str:
    for line in lines:
        if line.dir == "C" and line.line.upper().startswith(verb):
            found = _ADDRESS.search(line.line)
            return found.group(1) if found else ""
    return ""


def _messages(session: dict[str, Any], lines: list[Line], lang: str) -> Messages:
    return Messages(
        _lang(lang),
        mailbox=session.get("identity") or "",
        sender=_first(lines, "MAIL FROM"),
        recipient=_first(lines, "RCPT TO"),
        server=session.get("endpoint") or "",
        port=session.get("port") or "",
        site=session.get("site") or "",
        public_ip=session.get("public_ip") or "",
        profile="",
        tls_version=session.get("tls_version") or "",
        code="",
        enhanced="",
        spf_record="",
    )


class LiveExplainer:
    """What the console asks: a session's steps and deciding reply, a message's verdict."""

    def session(self, session: dict[str, Any], lang: str) -> dict[str, Any]:
        lines = [
            Line(float(x.get("t", 0.0)), str(x.get("dir", "*")), str(x.get("line", "")))
            for x in session.get("transcript") or []
        ]
        msg = _messages(session, lines, lang)
        steps: list[dict[str, Any]] = []
        decided: dict[str, Any] = {}
        challenge = False
        last_verb = "CONNECT"
        for _, group in _group_replies(tuple(lines)):
            first = group[0]
            if first.dir == "S":
                parsed = [_REPLY_LINE.match(ln.line) for ln in group]
                code = int(parsed[-1].group(1)) if parsed[-1] else 0
                text = "\n".join(
                    p.group(3) if p else ln.line for p, ln in zip(parsed, group, strict=True)
                )
                reply_id = match_reply(code, text)
                meaning = msg.reply(reply_id or "unknown")
                wrong = code >= 400
                closing = code == 221  # QUIT's reply decides nothing
                if wrong or (not decided.get("wrong") and not closing):
                    decided = {
                        "stage": last_verb,
                        "rule": reply_id or "",
                        "reply": group[-1].line,
                        "meaning": meaning,
                        "wrong": wrong,
                    }
                challenge = code == 334
                steps += [
                    {"dir": "S", "line": ln.line, "meaning": "", "wrong": wrong} for ln in group
                ]
                steps[-1]["meaning"] = meaning
            elif first.dir == "C":
                if not challenge:
                    verb = first.line.split(" ", 1)[0].upper()[:12]
                    last_verb = "DATA" if verb.startswith("<") or verb == "." else verb
                meaning = _client_meaning(first.line, challenge, msg)
                steps.append({"dir": "C", "line": first.line, "meaning": meaning, "wrong": False})
            else:
                steps.append(
                    {
                        "dir": "*",
                        "line": first.line,
                        "meaning": _note_meaning(first.line, msg) or "",
                        "wrong": False,
                    }
                )
        notes = session.get("notes") or []
        if decided and notes:
            decided["rule"] = f"{decided['rule']} ({notes[-1]})" if decided["rule"] else notes[-1]
        return {"decided": decided, "steps": steps}

    def message(self, message: dict[str, Any], lang: str) -> list[dict[str, str]]:
        msg = Messages(_lang(lang))
        out: list[dict[str, str]] = []
        for name, value in message.get("headers") or []:
            lowered = str(name).lower()
            if lowered in ("authentication-results", "x-ms-exchange-authentication-results"):
                for method, result in _RESULT.findall(str(value)):
                    method, result = method.lower(), result.lower()
                    known = {"spf": ("pass", "fail", "softfail"), "dmarc": ("pass", "fail"),
                             "compauth": ("pass", "fail")}[method]  # fmt: skip
                    key = result if result in known else "other"
                    out.append(
                        {"item": f"{method}={result}", "meaning": msg(f"verdict.{method}_{key}")}
                    )
            elif lowered == SCL_HEADER:
                out.append(
                    {"item": f"SCL {value}", "meaning": msg(f"verdict.{_scl_key(str(value))}")}
                )
        return out


def _scl_key(value: str) -> str:
    try:
        scl = int(value.strip())
    except ValueError:
        return "scl_other"
    if scl <= 1:
        return "scl_clean"
    if scl in (5, 6):
        return "scl_junk"
    return "scl_high" if scl >= 7 else "scl_other"


__all__ = ["LANGS", "LiveExplainer"]
