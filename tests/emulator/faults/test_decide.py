"""The pure part of faults: the matcher, the seeded decision and reply names (no sockets)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from exolab.emulator.faults import FaultBook, FaultPoint, FaultReplyError, matches, resolve_reply
from exolab.emulator.tenant.fault import Fault

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def point(**changes: object) -> FaultPoint:
    base: dict[str, object] = {
        "stage": "eod",
        "endpoint": "smtp.office365.com",
        "port": 587,
        "source": "127.20.0.30",
        "site": "branch",
        "user": "scanner@contoso.com",
        "now": NOW,
    }
    base.update(changes)
    return FaultPoint(**base)  # type: ignore[arg-type]


def rule(**fields: object) -> Fault:
    return Fault.model_validate({"Name": "f", "Stage": "eod", "Reply": "4.7.500", **fields})


@pytest.mark.parametrize(
    ("fields", "changes", "expected"),
    [
        ({}, {}, True),
        ({}, {"stage": "mail"}, False),
        ({"Endpoint": "SMTP.office365.com"}, {}, True),
        ({"Endpoint": "smtp.hve.mx.microsoft"}, {}, False),
        ({"Port": 587}, {}, True),
        ({"Port": 25}, {}, False),
        ({"Site": "Branch"}, {}, True),
        ({"Site": "hq"}, {}, False),
        ({"Site": "hq"}, {"site": None}, False),
        ({"Source": "127.20.0.0/24"}, {}, True),
        ({"Source": "127.20.0.31"}, {}, False),
        ({"User": "Scanner@contoso.com"}, {}, True),
        ({"User": "other@contoso.com"}, {}, False),
        ({"User": "other@contoso.com"}, {"user": None}, False),
        ({"From": "2026-03-02T09:00:00Z"}, {}, True),
        ({"From": "2026-03-02T09:00:01Z"}, {}, False),
        ({"Until": "2026-03-02T09:00:00Z"}, {}, False),
        ({"Until": "2026-03-02T10:00:00"}, {}, True),
        ({"Ehlo": "mfp-*"}, {"helo": "MFP-SIM"}, True),
        ({"Ehlo": "MFP-SIM"}, {"helo": "NPI0A1B2C"}, False),
        ({"Ehlo": "MFP-SIM"}, {}, False),  # before EHLO (connect, banner) no name is known
    ],
)
def test_matcher(fields: dict[str, object], changes: dict[str, object], expected: bool) -> None:
    assert matches(rule(**fields), point(**changes)) is expected


def test_count_and_after_pick_exact_matches() -> None:
    book = FaultBook()
    rules = [rule(After=2, Count=2)]
    fired = [book.consult(rules, point(), seed=1) for _ in range(6)]
    assert [f.nth if f else None for f in fired] == [None, None, 1, 2, None, None]
    assert (book.matched("f"), book.fired("f")) == (6, 2)


def test_same_seed_same_sequence_and_rules_do_not_disturb_each_other() -> None:
    def run(seed: int, extra: bool) -> list[bool]:
        book = FaultBook()
        rules = [rule(Probability=0.3)]
        if extra:
            rules.insert(0, rule(Name="other", Stage="mail", Probability=0.5))
        out = []
        for _ in range(40):
            if extra:
                book.consult(rules, point(stage="mail"), seed)
            out.append(book.consult(rules, point(), seed) is not None)
        return out

    assert run(5, False) == run(5, False) == run(5, True)
    assert run(5, False) != run(6, False)
    assert 0 < sum(run(5, False)) < 40


def test_forget_starts_a_rule_over() -> None:
    book = FaultBook()
    rules = [rule(Count=1)]
    assert book.consult(rules, point(), 1) is not None
    assert book.consult(rules, point(), 1) is None
    book.forget([])
    assert book.consult(rules, point(), 1) is not None


def test_first_firing_rule_wins() -> None:
    book = FaultBook()
    rules = [rule(Name="a", Count=1), rule(Name="b")]
    first, second = book.consult(rules, point(), 1), book.consult(rules, point(), 1)
    assert first is not None and first.rule.name == "a"
    assert second is not None and second.rule.name == "b"


def test_reply_names() -> None:
    assert resolve_reply("4.7.500").id == "fault.server_busy"
    assert resolve_reply("4.3.2").id == "fault.temporary_error_4_3_2"  # ATTR55, not a 432
    assert resolve_reply("session.temporary_error").code == 451
    line = resolve_reply("554 5.6.0 Corrupt {message}")
    assert (line.id, line.code, line.enhanced, line.text) == (
        "fault.custom",
        554,
        "5.6.0",
        "Corrupt {{message}}",
    )
    assert resolve_reply("421 Bye").enhanced is None
    for bad in ("5.7.139", "9.9.9", "nonsense.id", "451 5.7.1 mismatch", "451 a\r\nb", "4" * 600):
        with pytest.raises(FaultReplyError):
            resolve_reply(bad)


@pytest.mark.parametrize(
    "fields",
    [
        {"Action": "reply", "Reply": None},
        {"Stage": "tls", "Action": "reply"},
        {"Stage": "mail", "Action": "lose_250"},
        {"Action": "stall"},
        {"Action": "slow", "Seconds": 0},
        {"Source": "not-an-ip"},
        {"Probability": 1.5},
        {"Stage": "everywhere"},
        {"Stage": "starttls", "Action": "tls_alert"},
        {"Stage": "tls", "Action": "tls_alert", "Alert": "no_such_alert"},
        {"Ehlo": ""},
    ],
)
def test_incoherent_rules_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        rule(**fields)
