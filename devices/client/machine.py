"""The firmware's own SMTP client: a sans-IO state machine (events in, bytes out).

Feed it what the server sent (``receive_data``), tell it when TLS is up
(``tls_started``) or the peer went away (``connection_closed``); it returns
``Send``/``StartTls``/``Close``/``Finished`` events for the driver. No sockets,
no asyncio. The handlers here only decide what to do next; every change of
state goes through the table in ``devices.client.states``, pipelined groups
included, so a move the table does not list raises instead of happening.
Quirks bend the decisions through the ``QuirkChain`` hooks, never the state.
"""

from __future__ import annotations

from collections.abc import Callable

from exolab.devices.client.body import data_payload
from exolab.devices.client.caps import Capabilities
from exolab.devices.client.config import ClientConfig, Mechanism
from exolab.devices.client.events import (
    Close,
    Event,
    Finished,
    Received,
    Send,
    SessionOutcome,
    StartTls,
    Verdict,
)
from exolab.devices.client.replies import Reply, ReplyParser
from exolab.devices.client.sasl import b64, decode_prompt, plain_response, xoauth2_response
from exolab.devices.client.stages import Stage
from exolab.devices.client.states import ClientState, Ours, State, Theirs, stage_of
from exolab.devices.errors import LocalProtocolError
from exolab.devices.quirks.base import QuirkChain


class SmtpClient:
    """One SMTP session from the device's side."""

    def __init__(self, config: ClientConfig, quirks: QuirkChain | None = None) -> None:
        self.config = config
        self.quirks = quirks if quirks is not None else QuirkChain([])
        self.tls_active = config.tls_active
        self.caps = Capabilities()
        self.authenticated = False
        self.auth_attempted = False
        self.starttls_refused = False  # an opportunistic device does not ask twice
        self._greeted = False  # a quirk's prefix goes in front of the first greeting only
        self._early_starttls = False  # STARTTLS went out before any greeting (a quirk)
        self.result: SessionOutcome | None = None
        self._parser = ReplyParser()
        self._cs = ClientState()
        self._auth_mech: Mechanism | None = None
        self._auth_step = 0
        self._failure: SessionOutcome | None = None  # first failure inside a pipelined group
        self._accepted_rcpts = 0
        self._rcpt_index = 0
        self._pending_result: SessionOutcome | None = None  # decided, awaiting the QUIT reply
        self._out: list[Event] = []

    # ---------------------------------------------------------------- inputs
    @property
    def state(self) -> State:
        """The state in the table: the last command (group) sent."""
        return self._cs.state

    @property
    def awaiting(self) -> State:
        """The state whose reply comes next (``State.TLS`` while the handshake runs)."""
        return self._cs.awaiting

    @property
    def stage(self) -> Stage:
        """The stage name of ``awaiting``: where the session is if it ends now."""
        return stage_of(self._cs.awaiting)

    @property
    def finished(self) -> bool:
        return self.result is not None

    def receive_data(self, data: bytes) -> list[Event]:
        """Bytes from the server. Raises RemoteProtocolError on a non-SMTP line."""
        if self.finished or self._cs.state is State.TLS:
            raise LocalProtocolError(f"receive_data in state {self._cs.state.name}")
        for reply in self._parser.feed(data):
            self._out.append(Received(reply))
            self._on_reply(reply)
            if self._cs.state is State.CLOSED:
                break  # what follows a final reply or a hang-up is never read
        return self._drain()

    def tls_started(self) -> list[Event]:
        """The driver completed the STARTTLS handshake: greet again."""
        if self._cs.state is not State.TLS:
            raise LocalProtocolError(f"tls_started in state {self._cs.state.name}")
        self.tls_active = True
        self.caps = Capabilities()
        self._greet()
        return self._drain()

    def connection_closed(self) -> list[Event]:
        """The server closed the connection (EOF)."""
        if not self.finished:
            result = self._failure if self._failure is not None else self._pending_result
            if result is None:
                result = self._outcome("gave_up", self._cs.awaiting, None, "connection_lost")
            self._cs.theirs(Theirs.HANGUP)
            self._done(result)
        return self._drain()

    # ------------------------------------------------------------- plumbing
    def _drain(self) -> list[Event]:
        out, self._out = self._out, []
        return out

    @staticmethod
    def _outcome(verdict: Verdict, state: State, reply: Reply | None, panel: str) -> SessionOutcome:
        return SessionOutcome(verdict, stage_of(state), reply, panel)

    def _on_reply(self, reply: Reply) -> None:
        """One reply: it answers the oldest command owed one, or none at all."""
        if self._cs.owed:
            self._dispatch(self._cs.reply(), reply)
        elif reply.code == 421:
            # unprompted 421: the server is closing the connection
            result = self._outcome("rejected", self._cs.awaiting, reply, "rejected")
            self._cs.theirs(Theirs.HANGUP)
            self._done(result)
        else:
            self._cs.theirs(Theirs.STRAY)

    def _emit(self, trigger: Ours, send: Send) -> None:
        self._cs.ours(trigger)
        self._out.append(send)

    def _send(self, trigger: Ours, command: str, *, wire: bytes | None = None) -> None:
        """Queue one command line; the table records that its reply is owed."""
        data = (wire if wire is not None else command.encode("utf-8")) + self.config.eol
        self._emit(trigger, Send(data, (command,)))

    def _finish(self, result: SessionOutcome) -> None:
        """The device closes the connection with this result."""
        self._cs.ours(Ours.CLOSE)
        self._done(result)

    def _done(self, result: SessionOutcome) -> None:
        self.result = result
        self._out.append(Close())
        self._out.append(Finished(result))

    def _fail(self, result: SessionOutcome) -> None:
        """Stop the transaction: QUIT politely unless the server is already closing."""
        if result.reply is not None and result.reply.code == 421:
            self._finish(result)
            return
        self._pending_result = result
        self._send(Ours.QUIT, "QUIT")

    # ------------------------------------------------------------ dispatch
    def _dispatch(self, answered: State, reply: Reply) -> None:
        _HANDLERS[answered](self, reply)

    def _reject(self, state: State, reply: Reply, panel: str = "rejected") -> None:
        self._fail(self._outcome("rejected", state, reply, panel))

    def _give_up(self, state: State, panel: str, reply: Reply | None = None) -> None:
        self._fail(self._outcome("gave_up", state, reply, panel))

    # -------------------------------------------------------------- stages
    def _on_banner(self, reply: Reply) -> None:
        if reply.code != 220:
            self._reject(State.CONNECT, reply)
            return
        if not self.tls_active and self.quirks.starttls_before_greeting(False):
            self._early_starttls = True
            self._send(Ours.STARTTLS, "STARTTLS")
            return
        self._greet()

    def _greet(self) -> None:
        command = f"{self.config.greeting_verb} {self.config.greeting_name}"
        prefix = b"" if self._greeted else self.quirks.greeting_prefix(b"")
        self._greeted = True
        if not prefix:
            self._send(Ours.EHLO, command)
            return
        # one line on the wire: the server sees the prefix and the greeting as a single command
        data = prefix + command.encode("utf-8") + self.config.eol
        self._emit(Ours.EHLO, Send(data, (f"<{len(prefix)} bytes before {command}>", command)))

    def _on_greeting(self, reply: Reply) -> None:
        if reply.code != 250:
            self._reject(State.EHLO, reply)
            return
        if self.config.greeting_verb == "EHLO":
            self.caps = Capabilities.from_ehlo(reply)
        self._after_greeting()

    def _wants_auth(self) -> bool:
        return (
            not self.authenticated
            and not self.auth_attempted
            and bool(self.config.usable_mechanisms())
            and self.quirks.uses_smtp_auth(True)
        )

    def _after_greeting(self) -> None:
        mode = self.config.security
        if not self.tls_active and mode in ("starttls", "opportunistic_starttls"):
            if self._wants_auth() and self.quirks.auth_before_starttls(False):
                self._start_auth()
                return
            if self.caps.has("STARTTLS") and not self.starttls_refused:
                self._send(Ours.STARTTLS, "STARTTLS")
                return
            if mode == "starttls":
                self._give_up(State.STARTTLS, "starttls_unsupported")
                return
        if self._wants_auth():
            self._start_auth()
            return
        self._start_mail()

    def _on_starttls(self, reply: Reply) -> None:
        if reply.code != 220 and self._early_starttls:
            # without a greeting there is no plaintext session to carry on in
            self._reject(State.STARTTLS, reply)
            return
        if reply.code != 220:
            if self.config.security == "opportunistic_starttls" and reply.code >= 500:
                self.starttls_refused = True
                self._after_tls_refused()
                return
            self._reject(State.STARTTLS, reply)
            return
        self._cs.ours(Ours.HANDSHAKE)
        self._out.append(StartTls())

    def _after_tls_refused(self) -> None:
        """Opportunistic: the server refused STARTTLS; carry on in plaintext."""
        if self._wants_auth():
            self._start_auth()
        else:
            self._start_mail()

    # AUTH -------------------------------------------------------------------
    def _choose_mechanism(self) -> Mechanism | bool | None:
        """A mechanism; None to skip AUTH; False to give up (no mechanism in common)."""
        usable = self.config.usable_mechanisms()
        if self.config.auth_choice == "first":
            return usable[0]
        if not self.caps.auth:
            return None
        for mech in usable:
            if mech in self.caps.auth:
                return mech
        return False

    def _start_auth(self) -> None:
        mech = self._choose_mechanism()
        if mech is None:
            self._start_mail()
            return
        if mech is False:
            self._give_up(State.AUTH, "auth_unsupported")
            return
        assert isinstance(mech, str)
        self.auth_attempted = True
        self._auth_mech = mech
        self._auth_step = 0
        cfg = self.config
        if mech == "LOGIN":
            self._send(Ours.AUTH, "AUTH LOGIN")
        elif mech == "PLAIN":
            self._send(Ours.AUTH, f"AUTH PLAIN {plain_response(cfg.username, cfg.password)}")
        else:
            assert cfg.token is not None
            self._send(Ours.AUTH, f"AUTH XOAUTH2 {xoauth2_response(cfg.username, cfg.token)}")

    def _on_auth(self, reply: Reply) -> None:
        if reply.code == 235:
            self.authenticated = True
            self._after_greeting()
            return
        if reply.code != 334:
            self._reject(State.AUTH, reply, "auth_failed")
            return
        cfg = self.config
        if self._auth_mech == "LOGIN" and self._auth_step < 2:
            prompt = decode_prompt(reply.text)
            if not self.quirks.accept_login_prompt(self._auth_step, prompt, True):
                self._give_up(State.AUTH, "auth_prompt", reply)
                return
            value = cfg.username if self._auth_step == 0 else cfg.password
            self._auth_step += 1
            self._send(Ours.AUTH, b64(value))
        elif self._auth_mech == "PLAIN" and self._auth_step == 0:
            self._auth_step += 1
            self._send(Ours.AUTH, plain_response(cfg.username, cfg.password))
        elif self._auth_mech == "XOAUTH2" and self._auth_step == 0:
            # XOAUTH2 error challenge: answer empty, then read the 5xx
            self._auth_step += 1
            self._send(Ours.AUTH, "")
        else:
            # a challenge after the exchange is complete: firmware gives up rather than loop
            self._give_up(State.AUTH, "auth_prompt", reply)

    # Transaction ------------------------------------------------------------
    def _start_mail(self) -> None:
        cfg = self.config
        size = f" SIZE={len(cfg.message)}" if cfg.size_declaration and self.caps.size else ""
        self._send(Ours.MAIL, f"MAIL FROM:<{cfg.envelope_from}>{size}")
        if cfg.pipelining and self.caps.has("PIPELINING"):
            for rcpt in cfg.recipients:
                self._send(Ours.RCPT, f"RCPT TO:<{rcpt}>")
            self._send(Ours.DATA, "DATA")
            self._merge_pipelined_sends()

    def _merge_pipelined_sends(self) -> None:
        """One write for the whole pipelined group (that is what PIPELINING means)."""
        sends = [e for e in self._out if isinstance(e, Send)]
        others = [e for e in self._out if not isinstance(e, Send)]
        merged = Send(b"".join(s.data for s in sends), tuple(ln for s in sends for ln in s.lines))
        self._out = [*others, merged]

    @property
    def _pipelined(self) -> bool:
        """Inside a pipelined group: DATA was sent with MAIL and RCPT and is still owed."""
        return State.DATA in self._cs.owed

    def _on_mail(self, reply: Reply) -> None:
        if reply.code != 250:
            self._pipelined_failure_or_fail(
                self._outcome("rejected", State.MAIL, reply, "rejected")
            )
            return
        if not self._pipelined:
            self._next_rcpt(0)

    def _next_rcpt(self, index: int) -> None:
        self._rcpt_index = index
        self._send(Ours.RCPT, f"RCPT TO:<{self.config.recipients[index]}>")

    def _on_rcpt(self, reply: Reply) -> None:
        if reply.code not in (250, 251):
            self._pipelined_failure_or_fail(
                self._outcome("rejected", State.RCPT, reply, "recipient")
            )
            return
        self._accepted_rcpts += 1
        if self._pipelined or self._failure is not None:
            return
        if self._rcpt_index + 1 < len(self.config.recipients):
            self._next_rcpt(self._rcpt_index + 1)
        else:
            self._send(Ours.DATA, "DATA")

    def _pipelined_failure_or_fail(self, result: SessionOutcome) -> None:
        if self._pipelined:
            if self._failure is None:
                self._failure = result
            return
        self._fail(result)

    def _on_data(self, reply: Reply) -> None:
        if self._failure is not None:
            if reply.code == 354:
                # pipelined group partly refused but DATA accepted: abort by closing
                self._finish(self._failure)
            else:
                self._fail(self._failure)
            return
        if reply.code != 354:
            self._reject(State.DATA, reply)
            return
        payload = data_payload(self.config.message, self.config.eol)
        self._emit(Ours.BODY, Send(payload, (f"<message: {len(payload)} bytes>", ".")))

    def _on_eod(self, reply: Reply) -> None:
        if reply.code != 250:
            panel = "size" if reply.code == 552 else "rejected"
            self._reject(State.EOD, reply, panel)
            return
        self._pending_result = self._outcome("delivered", State.EOD, reply, "delivered")
        self._send(Ours.QUIT, "QUIT")

    def _on_quit(self, reply: Reply) -> None:
        assert self._pending_result is not None
        self._finish(self._pending_result)


_HANDLERS: dict[State, Callable[[SmtpClient, Reply], None]] = {
    State.CONNECT: SmtpClient._on_banner,
    State.EHLO: SmtpClient._on_greeting,
    State.STARTTLS: SmtpClient._on_starttls,
    State.AUTH: SmtpClient._on_auth,
    State.MAIL: SmtpClient._on_mail,
    State.RCPT: SmtpClient._on_rcpt,
    State.DATA: SmtpClient._on_data,
    State.EOD: SmtpClient._on_eod,
    State.QUIT: SmtpClient._on_quit,
}
"""The handler of the reply to each state (one table for every session)."""
