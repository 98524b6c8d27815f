"""What a rule decides: a catalog reply, why, and what happens to the connection.

A ``Verdict`` never holds reply text: it names a catalog entry and the
parameters to fill it with. ``note`` is what ``explain`` shows ("which rule
decided what"). Rules are plain functions ``facts -> Verdict | None`` and a
stage is an ordered list of them (Postfix restriction lists): the first rule
that returns a verdict decides.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from exolab.emulator.replies.model import Reply

F = TypeVar("F")
Rule = Callable[[F], "Verdict | None"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision for one command: reply, rule, reason, and connection effects."""

    reply: Reply
    rule: str
    reason: str
    params: Mapping[str, object] = field(default_factory=dict)
    close: bool = False
    """Drop the connection after the reply (the reply's own ``close`` counts too)."""
    delay: float = 0.0
    """Seconds to wait before sending the reply (tarpits, throttling)."""

    @property
    def note(self) -> str:
        return f"{self.rule}: {self.reason}"

    @property
    def closes(self) -> bool:
        return self.close or self.reply.close

    @property
    def accepted(self) -> bool:
        return self.reply.code < 400

    def with_params(self, **params: object) -> Verdict:
        return replace(self, params={**self.params, **params})


def evaluate(rules: Sequence[Rule[F]], facts: F, default: Verdict) -> Verdict:
    """The first verdict of ``rules`` in order, else ``default`` (the accept)."""
    for rule in rules:
        verdict = rule(facts)
        if verdict is not None:
            return verdict
    return default


def rule_names(rules: Sequence[Rule[F]]) -> list[str]:
    """The stated order of a restriction list, for docs and tests."""
    return [getattr(r, "__name__", repr(r)) for r in rules]
