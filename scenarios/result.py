"""What a scenario run observed, and how it compares with what the scenario expects.

The runner turns both sides of the wire into plain frozen values
(``Observation``): the device's attempts and the server's store and session
notes. ``compare`` is pure: (expectation, observation) → differences, each
one readable on its own ("stage: expected AUTH, got MAIL"). Reports and
explain only read these values, so they are testable without sockets.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from exolab.scenarios.model import Expect, LocalizedText

Status = Literal["passed", "failed", "error"]


@dataclass(frozen=True)
class Line:
    """One transcript line: ``C`` device→service, ``S`` service→device, ``*`` a device note."""

    t: float
    dir: str
    line: str


@dataclass(frozen=True)
class Attempt:
    """One send by the device, as the device saw it."""

    outcome: str
    stage: str | None
    code: int | None
    enhanced: str | None
    text: str
    reply_line: str
    tls_version: str | None
    device_message: str
    transcript: tuple[Line, ...]

    def device_said(self) -> str:
        """The device's panel message and its own transcript notes, lower-cased (for matching)."""
        notes = (line.line for line in self.transcript if line.dir == "*")
        return "\n".join((self.device_message, *notes)).lower()

    def summary(self) -> str:
        where = f" at {self.stage}" if self.stage else ""
        reply = f": {self.reply_line}" if self.reply_line else ""
        return f"{self.outcome}{where}{reply}"


@dataclass(frozen=True)
class Stored:
    """One message in the lab store."""

    mailbox: str
    folder: str
    scl: int | None
    headers: tuple[tuple[str, str], ...]

    def header_text(self) -> str:
        return "\n".join(f"{name}: {value}" for name, value in self.headers)


@dataclass(frozen=True)
class Session:
    """One session the service recorded: which rule decided what."""

    endpoint: str
    outcome: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Observation:
    attempts: tuple[Attempt, ...]
    stored: tuple[Stored, ...] = ()
    sessions: tuple[Session, ...] = ()

    def notes(self) -> list[str]:
        return [note for session in self.sessions for note in session.notes]


@dataclass(frozen=True)
class Difference:
    what: str
    expected: str
    got: str

    def render(self) -> str:
        return f"{self.what}: expected {self.expected}, got {self.got}"


@dataclass(frozen=True)
class ScenarioResult:
    id: str
    group: str
    title: LocalizedText
    demonstrates: LocalizedText
    source: str
    fix: str | None
    status: Status
    seconds: float
    expect: Expect
    observation: Observation | None = None
    differences: tuple[Difference, ...] = ()
    error: str | None = None
    failing_step: int | None = None
    """Index into the subject attempt's transcript of the line where it went wrong."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def subject(self) -> Attempt | None:
        if self.observation is None:
            return None
        return subject_attempt(self.expect, self.observation.attempts)

    def got_summary(self) -> str:
        attempt = self.subject()
        if self.error:
            return f"error: {self.error}"
        return attempt.summary() if attempt else "no attempt"

    def expected_summary(self) -> str:
        return describe_expectation(self.expect)

    def to_json(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "group": self.group,
            "title": self.title.en,
            "demonstrates": self.demonstrates.en,
            "title_ja": self.title.ja,
            "demonstrates_ja": self.demonstrates.ja,
            "source": self.source,
            "fix": self.fix,
            "status": self.status,
            "seconds": round(self.seconds, 3),
            "expected": self.expect.model_dump(mode="json", exclude_none=True),
            "expected_summary": self.expected_summary(),
            "got_summary": self.got_summary(),
            "differences": [asdict(d) for d in self.differences],
            "error": self.error,
            "failing_step": self.failing_step,
        }
        if self.observation is not None:
            out["observation"] = asdict(self.observation)
        return out


def describe_expectation(expect: Expect) -> str:
    parts: list[str] = [expect.outcome]
    if expect.stage:
        parts.append(f"at {expect.stage}")
    reply = " ".join(str(x) for x in (expect.code, expect.enhanced) if x is not None)
    if reply:
        parts.append(reply)
    if expect.text:
        parts.append(f"'…{expect.text}…'")
    if expect.mailbox:
        parts.append(f"→ {expect.mailbox}/{expect.folder or 'any folder'}")
    if expect.counts:
        parts.append("(" + ", ".join(f"{k} {v}" for k, v in expect.counts.items()) + ")")
    return " ".join(parts)


def subject_attempt(expect: Expect, attempts: tuple[Attempt, ...]) -> Attempt | None:
    """The attempt the expectation's outcome/reply fields are about.

    One attempt: itself. ``repeat``: the last one. ``parallel``: the first
    whose outcome is the expected one (which of N concurrent connections is
    refused is not determined), else the first that differs.
    """
    if not attempts:
        return None
    if expect.counts is None or len(attempts) == 1:
        return attempts[-1]
    for attempt in attempts:
        if attempt.outcome == expect.outcome:
            return attempt
    return attempts[0]


def compare(expect: Expect, observation: Observation) -> list[Difference]:
    """Every way the observation differs from the expectation (empty: as documented)."""
    diffs: list[Difference] = []
    attempt = subject_attempt(expect, observation.attempts)
    if attempt is None:
        return [Difference("attempts", "at least one send", "none")]
    diffs += _device_side(expect, attempt)
    if expect.counts is not None:
        got = Counter(a.outcome for a in observation.attempts)
        want: dict[str, int] = {k: v for k, v in expect.counts.items() if v}
        if dict(got) != want:
            diffs.append(Difference("outcome counts", _counts(want), _counts(dict(got))))
    diffs += _server_side(expect, observation)
    return diffs


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"


def _device_side(expect: Expect, attempt: Attempt) -> list[Difference]:
    diffs: list[Difference] = []
    reply = f" ({attempt.reply_line})" if attempt.reply_line else ""
    if attempt.outcome != expect.outcome:
        diffs.append(Difference("outcome", expect.outcome, attempt.outcome + reply))
    if expect.stage is not None and attempt.stage != expect.stage:
        diffs.append(Difference("stage", expect.stage, f"{attempt.stage or 'none'}{reply}"))
    if expect.code is not None and attempt.code != expect.code:
        diffs.append(Difference("reply code", str(expect.code), f"{attempt.code}{reply}"))
    if expect.enhanced is not None and attempt.enhanced != expect.enhanced:
        diffs.append(
            Difference("enhanced code", expect.enhanced, f"{attempt.enhanced or 'none'}{reply}")
        )
    if expect.text is not None and expect.text.lower() not in attempt.text.lower():
        diffs.append(Difference("reply text", f"…{expect.text}…", repr(attempt.text)))
    if expect.tls_version is not None and attempt.tls_version != expect.tls_version:
        diffs.append(Difference("TLS version", expect.tls_version, str(attempt.tls_version)))
    if expect.device_text is not None and expect.device_text.lower() not in attempt.device_said():
        diffs.append(
            Difference("device message", f"…{expect.device_text}…", repr(attempt.device_message))
        )
    return diffs


def _server_side(expect: Expect, observation: Observation) -> list[Difference]:
    diffs: list[Difference] = []
    stored = observation.stored
    where = ", ".join(sorted({f"{m.mailbox}/{m.folder}" for m in stored})) or "nothing stored"
    matches = [
        m
        for m in stored
        if (expect.mailbox is None or m.mailbox == expect.mailbox)
        and (expect.folder is None or m.folder == expect.folder)
    ]
    if expect.mailbox is not None and not matches:
        diffs.append(Difference("stored in", f"{expect.mailbox}/{expect.folder or '*'}", where))
    if expect.stored is not None and len(stored) != expect.stored:
        diffs.append(Difference("messages stored", str(expect.stored), f"{len(stored)} ({where})"))
    candidates = matches or list(stored)
    if expect.scl is not None:
        scls = sorted({str(m.scl) for m in candidates}) or ["no message"]
        if str(expect.scl) not in scls:
            diffs.append(Difference("SCL", str(expect.scl), ", ".join(scls)))
    for fragment in expect.headers:
        texts = [m.header_text() for m in candidates]
        if not any(fragment.lower() in text.lower() for text in texts):
            got = _header_hint(fragment, texts)
            diffs.append(Difference("header", f"'{fragment}'", got))
    notes = observation.notes()
    for fragment in expect.notes:
        if not any(fragment.lower() in note.lower() for note in notes):
            diffs.append(Difference("session note", f"'{fragment}'", "; ".join(notes) or "none"))
    return diffs


def _header_hint(fragment: str, texts: list[str]) -> str:
    """The added header lines most likely meant (same name before '=' or ':')."""
    if not texts:
        return "no stored message"
    key = fragment.split("=")[0].split(":")[0].strip().lower()
    lines = [ln.strip() for text in texts for ln in text.splitlines() if key in ln.lower()]
    return " | ".join(lines[:2]) if lines else "no such header"
