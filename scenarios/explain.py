"""Trainer mode: a scenario's transcript annotated step by step, in English or Japanese.

Each device line is classified by its verb, each service reply is matched to
its entry in the emulator's reply catalog (code, enhanced code, text
template), and both are explained from the one message catalog
(``scenarios/messages``). The step where it went wrong is marked, and the
cause and the administrator's fix close the explanation, with the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from exolab.emulator.replies.catalog import all_replies
from exolab.emulator.replies.model import Reply
from exolab.emulator.tenant import load_default_tenant
from exolab.scenarios.context import message_context
from exolab.scenarios.links import localize_links
from exolab.scenarios.messages import Lang, Messages
from exolab.scenarios.model import Scenario
from exolab.scenarios.result import Attempt, Line, ScenarioResult

_REPLY_LINE = re.compile(r"^(\d{3})([ -])(.*)$")
_ENHANCED = re.compile(r"^([245]\.\d{1,3}\.\d{1,3}) ")
_TRAILER = r"(?: \[[^\]]*\])?"


@dataclass(frozen=True)
class Step:
    index: int
    """Index of the first transcript line of this step."""
    lines: tuple[Line, ...]
    meaning: str
    wrong: bool = False


@cache
def _templates() -> tuple[tuple[Reply, re.Pattern[str]], ...]:
    out = []
    for reply in all_replies():
        parts = re.split(r"\{[a-z_]+\}", reply.text)
        body = "(?s:.*?)".join(re.escape(p) for p in parts)
        out.append((reply, re.compile(f"^{body}{_TRAILER}", re.IGNORECASE)))
    # most specific (longest literal text) first
    out.sort(key=lambda item: -len(item[0].text))
    return tuple(out)


def match_reply(code: int, text: str) -> str | None:
    """The catalog id of a reply seen on the wire: its code and its text (lines joined)."""
    m = _ENHANCED.match(text)
    enhanced = m.group(1) if m else None
    body = text[m.end() :] if m else text
    for reply, pattern in _templates():
        if reply.code != code or reply.enhanced != enhanced or not pattern.match(body):
            continue
        if reply.lines and not _ehlo_matches(reply, body):
            continue
        return reply.id
    return None


def _ehlo_matches(reply: Reply, body: str) -> bool:
    """Multi-line EHLO entries differ by their extension lines and by the front end's name."""
    words = set(body.replace("\n", " ").split())
    wanted = {line.split(" ")[0] for line in reply.lines if "{" not in line}
    if reply.id.startswith("ehlo.") and ("protection.outlook.com" in body) != (".mx." in reply.id):
        return False
    return wanted <= words and ("STARTTLS" in words) == ("STARTTLS" in wanted)


def _group_replies(lines: tuple[Line, ...]) -> list[tuple[int, tuple[Line, ...]]]:
    """Split a transcript into steps: one device line, one note, or one (multi-line) reply."""
    steps: list[tuple[int, tuple[Line, ...]]] = []
    buffer: list[Line] = []
    start = 0
    for index, line in enumerate(lines):
        if line.dir == "S":
            if not buffer:
                start = index
            buffer.append(line)
            m = _REPLY_LINE.match(line.line)
            if m is None or m.group(2) == " ":
                steps.append((start, tuple(buffer)))
                buffer = []
            continue
        if buffer:
            steps.append((start, tuple(buffer)))
            buffer = []
        steps.append((index, (line,)))
    if buffer:
        steps.append((start, tuple(buffer)))
    return steps


def _client_meaning(text: str, after_challenge: bool, msg: Messages) -> str:
    verb = text.split(" ", 1)[0].upper()
    if after_challenge:
        return msg("cmd.credential")
    if verb == "AUTH":
        mech = text.split(" ")[1].upper() if " " in text else ""
        key = {"LOGIN": "auth_login", "PLAIN": "auth_plain", "XOAUTH2": "auth_xoauth2"}
        return msg(f"cmd.{key.get(mech, 'other')}")
    if verb.startswith("<MESSAGE") or text == ".":
        return msg("cmd.body")
    keys = {
        "EHLO": "ehlo",
        "HELO": "helo",
        "STARTTLS": "starttls",
        "MAIL": "mail",
        "RCPT": "rcpt",
        "DATA": "data",
        "BDAT": "bdat",
        "RSET": "rset",
        "QUIT": "quit",
        "NOOP": "noop",
    }
    return msg(f"cmd.{keys.get(verb, 'other')}")


def _note_meaning(text: str, msg: Messages) -> str | None:
    lowered = text.lower()
    if lowered.startswith("connect "):
        return msg("cmd.connect")
    if lowered.startswith("tls established"):
        return msg("cmd.tls_handshake")
    if "reconnecting without tls" in lowered:
        return msg("cmd.reconnect")
    if "handshake failed" in lowered or lowered.startswith("tls error"):
        return msg("event.tls_failure")
    if lowered.startswith("outcome timeout"):
        return msg("event.timeout")
    if lowered.startswith("outcome refused"):
        return msg("event.refused")
    if lowered.startswith("outcome gave_up"):
        return msg("event.gave_up")
    return None


def explain_steps(attempt: Attempt, failing_step: int | None, msg: Messages) -> list[Step]:
    steps: list[Step] = []
    challenge = False
    for start, lines in _group_replies(attempt.transcript):
        first = lines[0]
        end = start + len(lines) - 1
        wrong = failing_step is not None and start <= failing_step <= end
        if first.dir == "S":
            parsed = [_REPLY_LINE.match(ln.line) for ln in lines]
            code = int(parsed[-1].group(1)) if parsed[-1] else 0
            text = "\n".join(
                p.group(3) if p else ln.line for p, ln in zip(parsed, lines, strict=True)
            )
            reply_id = match_reply(code, text)
            steps.append(Step(start, lines, msg.reply(reply_id or "unknown"), wrong))
            challenge = code == 334
        elif first.dir == "C":
            steps.append(Step(start, lines, _client_meaning(first.line, challenge, msg), wrong))
        else:
            meaning = _note_meaning(first.line, msg)
            if meaning is not None or wrong:
                steps.append(Step(start, lines, meaning or "", wrong))
    return steps


def render_explanation(scenario: Scenario, result: ScenarioResult, lang: Lang) -> str:
    """The whole annotated explanation as text for the terminal."""
    attempt = result.subject()
    context = result.extra.get("context") or _context_without_run(scenario, result, attempt)
    msg = Messages(lang, **context)
    out = [
        f"{msg('ui.title')}: {scenario.title.get(lang)} ({scenario.id})",
        f"{msg('ui.rule')}: {scenario.demonstrates.get(lang)}",
        "",
    ]
    if attempt is None or not attempt.transcript:
        out.append(msg("ui.no_transcript"))
    else:
        for step in explain_steps(attempt, result.failing_step, msg):
            for line in step.lines:
                arrow = {"C": "→", "S": "←"}.get(line.dir, "·")
                out.append(f"{'>>' if step.wrong else '  '} {arrow} {line.line}")
            if step.meaning:
                out.append(f"        {step.meaning}")
            if step.wrong:
                out.append(f"        !! {msg('ui.wrong_here')}")
    out.append("")
    out.append(f"{msg('ui.device_outcome')}: {result.got_summary()}")
    notes = result.observation.notes() if result.observation else []
    if notes:
        out.append(f"{msg('ui.server_notes')}:")
        out += [f"  - {note}" for note in notes]
    out.append("")
    if result.passed:
        out.append(msg("ui.as_expected"))
    else:
        out.append(msg("ui.not_as_expected"))
        out += [f"  - {d.render()}" for d in result.differences]
        if result.error:
            out.append(f"  - {result.error}")
    fix = scenario.fix or "none"
    # a Japanese reader is sent to the Japanese page of the same Microsoft article
    out += [
        "",
        f"{msg('ui.cause')}: {localize_links(msg(f'fix.{fix}.cause'), lang)}",
        f"{msg('ui.fix')}: {localize_links(msg(f'fix.{fix}.action'), lang)}",
        f"{msg('ui.source')}: {localize_links(scenario.source, lang)}",
    ]
    return "\n".join(out) + "\n"


def _context_without_run(
    scenario: Scenario, result: ScenarioResult, attempt: Attempt | None
) -> dict[str, str]:
    """A result made without the runner (tests, older JSON): the default tenant's facts."""
    tls = (attempt.tls_version if attempt else None) or ""
    public_ip = str(result.extra.get("public_ip", ""))
    return message_context(scenario, load_default_tenant(), public_ip, tls)
