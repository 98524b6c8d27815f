"""The client's states and the one table of legal moves between them (h11's ``_state.py``).

A state is the phase of the session from the device's side: the last command
(group) it sent. ``TRANSITIONS[state][trigger]`` is the state a trigger leads
to; a trigger the table does not list for the current state is a protocol
error, never a silent move. Triggers come from two sides, and so do the
errors (h11's split):

- ``Ours``: what the firmware does (send a command, hand the socket to TLS,
  close). An illegal one is a bug of ours: ``IllegalMove``, a
  ``LocalProtocolError``.
- ``Theirs``: what the server does (a reply, a stray line, hanging up). An
  illegal one is the server's fault: ``UnexpectedServerEvent``, a
  ``RemoteProtocolError``.

Pipelining (RFC 2920) is in the table too: ``PIPELINABLE[state]`` lists the
commands that may follow ``state`` before its reply arrives (MAIL and RCPT
may be followed at once; DATA ends a group). Every other command waits for
every reply it is owed. ``ClientState`` is the only object that changes the
state; it also keeps the queue of commands whose replies are still owed,
since replies answer commands in the order they were sent.
"""

from __future__ import annotations

from collections import deque
from enum import Enum

from exolab.devices.client.stages import Stage
from exolab.devices.errors import LocalProtocolError, RemoteProtocolError


class State(Enum):
    CONNECT = "CONNECT"  # connected, the banner is awaited
    EHLO = "EHLO"  # EHLO (or HELO) sent
    STARTTLS = "STARTTLS"  # STARTTLS sent
    TLS = "TLS"  # the server said 220 to STARTTLS: the driver runs the handshake
    AUTH = "AUTH"  # an AUTH command or a SASL response sent
    MAIL = "MAIL"  # MAIL FROM sent
    RCPT = "RCPT"  # RCPT TO sent
    DATA = "DATA"  # DATA sent
    EOD = "EOD"  # the message and its terminating dot sent
    QUIT = "QUIT"  # QUIT sent
    CLOSED = "CLOSED"  # the session is over


class Ours(Enum):
    """What the firmware does. The commands each await one reply."""

    EHLO = "EHLO"
    STARTTLS = "STARTTLS"
    AUTH = "AUTH"
    MAIL = "MAIL"
    RCPT = "RCPT"
    DATA = "DATA"
    BODY = "BODY"  # the message after 354
    QUIT = "QUIT"
    HANDSHAKE = "HANDSHAKE"  # hand the socket to TLS after the server's 220 to STARTTLS
    CLOSE = "CLOSE"  # close without (or after) QUIT


class Theirs(Enum):
    """What the server does."""

    REPLY = "REPLY"  # a reply to the oldest command still owed one
    STRAY = "STRAY"  # a reply while none is owed
    HANGUP = "HANGUP"  # the connection closed, or an unprompted 421 (RFC 5321 section 3.8)


Trigger = Ours | Theirs

COMMANDS: frozenset[Ours] = frozenset(
    {Ours.EHLO, Ours.STARTTLS, Ours.AUTH, Ours.MAIL, Ours.RCPT, Ours.DATA, Ours.BODY, Ours.QUIT}
)
# The moves that wait for every owed reply (unless PIPELINABLE says otherwise).
AFTER_REPLIES: frozenset[Ours] = COMMANDS | {Ours.HANDSHAKE}


def _open(state: State, moves: dict[Trigger, State]) -> dict[Trigger, State]:
    """``moves`` plus what every state allows while the server may still answer.

    A reply keeps the state; the server may hang up; the firmware may QUIT or close.
    """
    return {
        Theirs.REPLY: state,
        Theirs.HANGUP: State.CLOSED,
        Ours.QUIT: State.QUIT,
        Ours.CLOSE: State.CLOSED,
        **moves,
    }


TRANSITIONS: dict[State, dict[Trigger, State]] = {
    # CONNECT -> STARTTLS: STARTTLS before any greeting (a quirk; the server should say 503)
    State.CONNECT: _open(State.CONNECT, {Ours.EHLO: State.EHLO, Ours.STARTTLS: State.STARTTLS}),
    State.EHLO: _open(
        State.EHLO,
        {Ours.STARTTLS: State.STARTTLS, Ours.AUTH: State.AUTH, Ours.MAIL: State.MAIL},
    ),
    # AUTH and MAIL: an opportunistic device carries on in plaintext after a 5xx
    State.STARTTLS: _open(
        State.STARTTLS,
        {Ours.HANDSHAKE: State.TLS, Ours.AUTH: State.AUTH, Ours.MAIL: State.MAIL},
    ),
    # Nothing is owed while the handshake runs: plaintext the server sends after
    # its 220 is ignored (RFC 3207 section 4.2 has the client forget it), a 421 ends it.
    State.TLS: {
        Theirs.STRAY: State.TLS,
        Theirs.HANGUP: State.CLOSED,
        Ours.EHLO: State.EHLO,
    },
    # AUTH -> AUTH: the next SASL line; AUTH -> STARTTLS: AUTH went first (a quirk)
    State.AUTH: _open(
        State.AUTH,
        {Ours.AUTH: State.AUTH, Ours.STARTTLS: State.STARTTLS, Ours.MAIL: State.MAIL},
    ),
    State.MAIL: _open(State.MAIL, {Ours.RCPT: State.RCPT}),
    State.RCPT: _open(State.RCPT, {Ours.RCPT: State.RCPT, Ours.DATA: State.DATA}),
    State.DATA: _open(State.DATA, {Ours.BODY: State.EOD}),
    State.EOD: _open(State.EOD, {}),
    State.QUIT: {Theirs.REPLY: State.QUIT, Theirs.HANGUP: State.CLOSED, Ours.CLOSE: State.CLOSED},
    State.CLOSED: {},
}

# The commands that may follow a state before its reply arrives (RFC 2920).
PIPELINABLE: dict[State, frozenset[Ours]] = {
    State.MAIL: frozenset({Ours.RCPT}),
    State.RCPT: frozenset({Ours.RCPT, Ours.DATA}),
}

# The one translation from a state to the stage name results and scenarios use.
_STAGE_OF_STATE: dict[State, Stage] = {
    State.CONNECT: "CONNECT",
    State.EHLO: "EHLO",
    State.STARTTLS: "STARTTLS",
    State.TLS: "STARTTLS",  # a handshake failure is a failure of STARTTLS
    State.AUTH: "AUTH",
    State.MAIL: "MAIL",
    State.RCPT: "RCPT",
    State.DATA: "DATA",
    State.EOD: "EOD",
    State.QUIT: "QUIT",
}


def stage_of(state: State) -> Stage:
    """The stage name of a state; a closed session has none (LocalProtocolError)."""
    try:
        return _STAGE_OF_STATE[state]
    except KeyError:
        raise LocalProtocolError(f"no stage for state {state.name}") from None


class IllegalMove(LocalProtocolError):
    """The firmware tried a move the table does not allow: a bug on the device's side."""

    def __init__(self, state: State, trigger: Ours, why: str = "") -> None:
        self.state = state
        self.trigger = trigger
        super().__init__(f"{trigger.name} is not allowed in state {state.name}{why}")


class UnexpectedServerEvent(RemoteProtocolError):
    """The server did something the table does not allow in the current state."""

    def __init__(self, state: State, trigger: Theirs) -> None:
        self.state = state
        self.trigger = trigger
        super().__init__(f"server {trigger.name} is not allowed in state {state.name}")


class ClientState:
    """The current state and the commands still owed a reply; changed only through the table."""

    def __init__(self) -> None:
        self._state = State.CONNECT
        self._owed: deque[State] = deque([State.CONNECT])  # the banner is owed first

    @property
    def state(self) -> State:
        return self._state

    @property
    def owed(self) -> tuple[State, ...]:
        """The states whose replies are still owed, oldest first."""
        return tuple(self._owed)

    @property
    def awaiting(self) -> State:
        """The state whose reply comes next; while none is owed, the state itself."""
        return self._owed[0] if self._owed else self._state

    def ours(self, trigger: Ours) -> State:
        """Apply one of the firmware's own moves; IllegalMove when the table forbids it."""
        target = TRANSITIONS[self._state].get(trigger)
        if target is None:
            raise IllegalMove(self._state, trigger)
        pipelinable = PIPELINABLE.get(self._state, frozenset())
        if trigger in AFTER_REPLIES and self._owed and trigger not in pipelinable:
            raise IllegalMove(self._state, trigger, " before the reply it awaits")
        self._state = target
        if trigger in COMMANDS:
            self._owed.append(target)
        elif target is State.CLOSED:
            self._owed.clear()
        return target

    def theirs(self, trigger: Theirs) -> State:
        """Apply the server's move; UnexpectedServerEvent when the table forbids it."""
        target = TRANSITIONS[self._state].get(trigger)
        if target is None or (trigger is Theirs.REPLY and not self._owed):
            raise UnexpectedServerEvent(self._state, trigger)
        self._state = target
        if target is State.CLOSED:
            self._owed.clear()
        return target

    def reply(self) -> State:
        """The server replied: apply ``Theirs.REPLY``; return the state the reply answers."""
        self.theirs(Theirs.REPLY)
        return self._owed.popleft()
