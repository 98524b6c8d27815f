"""Random servers against the client machine: it only ever moves along the table.

Hypothesis plays a server that answers in any order (the right reply, a wrong
one, a 421, several replies in one read, an early close) to a device of any
configuration and quirk. Whatever happens, the client is in a state of the
table, every change of state is a path the table allows, replies are owed
exactly while the server may still talk, and the machine never raises a
LocalProtocolError: its own decisions always follow the table.
"""

from __future__ import annotations

import base64
from dataclasses import replace
from functools import cache
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from exolab.devices.client.config import ClientConfig
from exolab.devices.client.events import Event, Finished
from exolab.devices.client.machine import SmtpClient
from exolab.devices.client.stages import STAGES
from exolab.devices.client.states import TRANSITIONS, State
from exolab.devices.errors import RemoteProtocolError
from exolab.devices.quirks import build_chain

EHLO_ALL = (
    b"250-x\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-STARTTLS\r\n250 AUTH LOGIN PLAIN XOAUTH2"
)
RIGHT: dict[State, bytes] = {
    State.CONNECT: b"220 hi",
    State.EHLO: EHLO_ALL,
    State.STARTTLS: b"220 2.0.0 go ahead",
    State.AUTH: b"334 " + base64.b64encode(b"Username:"),
    State.MAIL: b"250 2.1.0 ok",
    State.RCPT: b"250 2.1.5 ok",
    State.DATA: b"354 go",
    State.EOD: b"250 2.6.0 queued",
    State.QUIT: b"221 bye",
}
REFUSALS = st.sampled_from(
    [b"421 4.3.2 closing", b"450 4.7.0 later", b"502 5.5.1 no", b"530 5.7.57 no", b"554 5.7.1 no"]
)
ANY_REPLY = st.sampled_from(
    [
        b"220 hi",
        b"250 ok",
        b"250-x\r\n250 PIPELINING",
        b"250-x\r\n250 STARTTLS",
        b"250-x\r\n250 AUTH PLAIN",
        EHLO_ALL,
        b"251 ok",
        b"354 go",
        b"334 " + base64.b64encode(b"Password:"),
        b"334 VXNlciBOYW1lAA==",
        b"334 eyJzdGF0dXMiOiI0MDEifQ==",
        b"235 2.7.0 ok",
        b"221 bye",
        b"421 4.3.2 closing",
        b"450 4.7.0 later",
        b"502 5.5.1 no",
        b"504 5.7.4 no",
        b"530 5.7.57 no",
        b"535 5.7.3 no",
        b"550 5.7.64 no",
        b"552 5.3.4 too big",
        b"554 5.7.1 no",
    ]
)
CONFIGS = st.builds(
    ClientConfig,
    greeting_verb=st.sampled_from(["EHLO", "EHLO", "HELO"]),
    security=st.sampled_from(["none", "starttls", "opportunistic_starttls", "implicit"]),
    mechanisms=st.lists(
        st.sampled_from(["LOGIN", "PLAIN", "XOAUTH2"]), unique=True, max_size=3
    ).map(tuple),
    auth_choice=st.sampled_from(["advertised", "first"]),
    username=st.sampled_from(["", "scanner@contoso.com"]),
    password=st.just("pw"),
    token=st.sampled_from([None, "tok"]),
    envelope_from=st.just("scanner@contoso.com"),
    recipients=st.lists(st.sampled_from(["a@x", "b@x", "c@x"]), min_size=1, max_size=3).map(tuple),
    message=st.just(b"Subject: x\r\n\r\nbody\r\n"),
    line_ending=st.just("crlf"),  # bytes only, never a move: test_client_machine covers it
    pipelining=st.booleans(),
    size_declaration=st.just(False),
).map(lambda c: replace(c, tls_active=c.security == "implicit"))  # as the driver sets it
ACTIONS = st.one_of(
    # weighted towards the expected reply so sessions get deep (DATA, EOD, QUIT)
    *[st.just(("right", b""))] * 8,
    *[REFUSALS.map(lambda r: ("refuse", r))] * 4,
    st.lists(ANY_REPLY, min_size=1, max_size=3).map(lambda r: ("any", b"\r\n".join(r))),
    st.binary(min_size=1, max_size=20).map(lambda b: ("junk", b)),
    st.just(("close", b"")),
)
QuirkSpecs = list[tuple[str, dict[str, Any]]]
QUIRKS: st.SearchStrategy[QuirkSpecs] = st.sampled_from(
    [[], [("auth-before-starttls", {})], [("strict-login-prompt", {})]],
)


@cache
def reachable(state: State) -> frozenset[State]:
    """Every state the table allows from ``state`` in zero or more moves."""
    seen = {state}
    todo = [state]
    while todo:
        for nxt in TRANSITIONS[todo.pop()].values():
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return frozenset(seen)


class RandomServer(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.client: SmtpClient | None = None
        self.broken = False  # the server sent a non-SMTP line: the driver stops here
        self.junked = False

    @property
    def machine(self) -> SmtpClient:
        assert self.client is not None
        return self.client

    def _step(self, events: list[Event], before: State) -> None:
        after = self.machine.state
        assert after in reachable(before), f"{before.name} -> {after.name} is not in the table"
        finished = [e for e in events if isinstance(e, Finished)]
        assert len(finished) <= 1
        if finished:
            assert events[-1] is finished[0], "nothing follows Finished"

    @rule(config=CONFIGS, quirks=QUIRKS)
    @precondition(lambda self: self.client is None or self.broken or self.client.finished)
    def connect(self, config: ClientConfig, quirks: QuirkSpecs) -> None:
        """A new session (the first, or the next after one ended)."""
        self.client = SmtpClient(config, build_chain(quirks))
        self.broken = self.junked = False

    def _talking(self) -> bool:
        return (
            self.client is not None
            and not self.broken
            and not self.client.finished
            and self.client.state is not State.TLS
        )

    @rule(action=ACTIONS)
    @precondition(lambda self: self._talking())
    def server_talks(self, action: tuple[str, bytes]) -> None:
        kind, data = action
        if kind == "right":
            data = RIGHT[self.machine.awaiting]
        if kind == "close":
            self.server_closes()
            return
        before = self.machine.state
        try:
            events = self.machine.receive_data(data + b"\r\n")
        except RemoteProtocolError:
            assert self.junked or kind == "junk", "only junk is the server's protocol error"
            self.broken = True
            return
        self.junked = self.junked or kind == "junk"  # it may have left half a reply behind
        self._step(events, before)

    @rule()
    @precondition(
        lambda self: (
            self.client is not None
            and not self.broken
            and not self.client.finished
            and self.client.state is State.TLS
        )
    )
    def handshake_done(self) -> None:
        before = self.machine.state
        self._step(self.machine.tls_started(), before)

    def server_closes(self) -> None:
        """EOF, one of the server's actions (a rule of its own would end most sessions early)."""
        before = self.machine.state
        self._step(self.machine.connection_closed(), before)
        assert self.machine.finished and self.machine.state is State.CLOSED

    @invariant()
    def in_the_table(self) -> None:
        if self.client is None:
            return
        state = self.client.state
        assert state in TRANSITIONS
        assert self.client.finished == (state is State.CLOSED)
        owed = self.client._cs.owed
        # a reply is owed exactly while the server may still talk
        assert bool(owed) == (state not in (State.TLS, State.CLOSED))
        assert set(owed) <= {State.MAIL, State.RCPT, State.DATA} or len(owed) <= 1
        if not self.client.finished:
            assert self.client.stage in STAGES
        elif self.client.result is not None:
            assert self.client.result.stage in STAGES


RandomServer.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestRandomServer = RandomServer.TestCase
