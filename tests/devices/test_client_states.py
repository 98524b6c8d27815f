"""The client's transition table: every legal move works, every other one raises its own error."""

from __future__ import annotations

from collections import deque
from typing import get_args

import pytest

from exolab.devices.client.stages import STAGES, Stage
from exolab.devices.client.states import (
    AFTER_REPLIES,
    PIPELINABLE,
    TRANSITIONS,
    ClientState,
    IllegalMove,
    Ours,
    State,
    Theirs,
    Trigger,
    UnexpectedServerEvent,
    stage_of,
)
from exolab.devices.errors import LocalProtocolError, RemoteProtocolError
from exolab.scenarios.model import StageName

ALL_TRIGGERS: tuple[Trigger, ...] = (*Ours, *Theirs)


def _route(target: State) -> list[Ours]:
    """The shortest run of the firmware's own moves from CONNECT to ``target``."""
    seen = {State.CONNECT: list[Ours]()}
    queue = deque([State.CONNECT])
    while queue:
        state = queue.popleft()
        for trigger, nxt in TRANSITIONS[state].items():
            if isinstance(trigger, Ours) and nxt not in seen:
                seen[nxt] = [*seen[state], trigger]
                queue.append(nxt)
    return seen[target]


def _answer_all(cs: ClientState) -> None:
    while cs.owed:
        cs.reply()


def reach(target: State) -> ClientState:
    """A ClientState in ``target``, every command on the way answered but the last."""
    cs = ClientState()
    for trigger in _route(target):
        _answer_all(cs)
        cs.ours(trigger)
    return cs


LEGAL = [
    pytest.param(state, trigger, target, id=f"{state.name}-{trigger.name}-{target.name}")
    for state, moves in TRANSITIONS.items()
    for trigger, target in moves.items()
]
ILLEGAL = [
    pytest.param(state, trigger, id=f"{state.name}-{trigger.name}")
    for state in State
    for trigger in ALL_TRIGGERS
    if trigger not in TRANSITIONS[state]
]


def test_every_state_has_a_row_and_every_target_is_a_state() -> None:
    assert set(TRANSITIONS) == set(State)
    for moves in TRANSITIONS.values():
        assert set(moves.values()) <= set(State)


@pytest.mark.parametrize(("state", "trigger", "target"), LEGAL)
def test_every_legal_move(state: State, trigger: Trigger, target: State) -> None:
    cs = reach(state)
    assert cs.state is state
    if isinstance(trigger, Ours):
        if trigger in AFTER_REPLIES:
            _answer_all(cs)
        assert cs.ours(trigger) is target
    elif trigger is Theirs.REPLY:
        assert cs.owed, "a reply needs a command that awaits it"
        assert cs.reply() is state
    else:
        assert cs.theirs(trigger) is target
    assert cs.state is target
    if target is State.CLOSED:
        assert cs.owed == ()


@pytest.mark.parametrize(("state", "trigger"), ILLEGAL)
def test_every_illegal_move_raises_the_error_of_its_side(state: State, trigger: Trigger) -> None:
    cs = reach(state)
    _answer_all(cs)
    before = cs.owed
    if isinstance(trigger, Ours):
        with pytest.raises(IllegalMove) as ours:
            cs.ours(trigger)
        assert isinstance(ours.value, LocalProtocolError)
        assert (ours.value.state, ours.value.trigger) == (state, trigger)
    else:
        with pytest.raises(UnexpectedServerEvent) as theirs:
            cs.theirs(trigger)
        assert isinstance(theirs.value, RemoteProtocolError)
        assert (theirs.value.state, theirs.value.trigger) == (state, trigger)
    assert (cs.state, cs.owed) == (state, before), "a refused move changes nothing"


def test_a_reply_nobody_awaits_is_the_servers_error() -> None:
    cs = reach(State.MAIL)
    _answer_all(cs)
    with pytest.raises(UnexpectedServerEvent):
        cs.reply()


def test_pipelined_group_goes_through_the_table() -> None:
    """MAIL, RCPT, RCPT, DATA without waiting; the replies answer them in order."""
    cs = reach(State.MAIL)
    for trigger in (Ours.RCPT, Ours.RCPT, Ours.DATA):
        cs.ours(trigger)
    assert cs.owed == (State.MAIL, State.RCPT, State.RCPT, State.DATA)
    assert [cs.reply() for _ in range(4)] == [State.MAIL, State.RCPT, State.RCPT, State.DATA]
    assert cs.ours(Ours.BODY) is State.EOD


@pytest.mark.parametrize(
    ("state", "trigger"),
    [
        (state, trigger)
        for state in State
        if state not in (State.TLS, State.CLOSED)  # nothing is owed in these
        for trigger in TRANSITIONS[state]
        if isinstance(trigger, Ours)
        and trigger in AFTER_REPLIES
        and trigger not in PIPELINABLE.get(state, frozenset())
    ],
)
def test_no_move_but_the_pipelinable_ones_before_the_reply(state: State, trigger: Ours) -> None:
    cs = reach(state)
    assert cs.owed
    with pytest.raises(IllegalMove):
        cs.ours(trigger)
    assert cs.state is state


def test_data_ends_a_pipelined_group() -> None:
    cs = reach(State.DATA)
    with pytest.raises(IllegalMove):
        cs.ours(Ours.BODY)  # the message waits for the 354


def test_every_state_but_closed_has_one_stage_name() -> None:
    for state in State:
        if state is State.CLOSED:
            with pytest.raises(LocalProtocolError):
                stage_of(state)
        else:
            assert stage_of(state) in STAGES
    assert stage_of(State.TLS) == "STARTTLS"


def test_stage_names_are_the_contract_scenarios_use() -> None:
    """Scenario files and --json share these strings byte for byte."""
    assert get_args(Stage) == STAGES
    assert get_args(StageName) == STAGES
    assert STAGES == (
        "DNS",
        "CONNECT",
        "EHLO",
        "STARTTLS",
        "AUTH",
        "MAIL",
        "RCPT",
        "DATA",
        "EOD",
        "QUIT",
        "JOB",
    )
