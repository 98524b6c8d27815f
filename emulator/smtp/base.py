"""``ExchangeSMTP``: the one aiosmtpd ``SMTP`` subclass every front end shares.

aiosmtpd carries bytes, TLS and framing. Every verb handler is overridden so
that what is said comes from the reply catalog through the ``Renderer``, and
what is decided comes from the front end's policy. ``push`` is the only way
aiosmtpd can still speak on its own (greeting, unknown or unreadable
commands, over-long lines, its exception handler): it is a gatekeeper that
maps each of those onto a catalog entry (gatekeeper.py). DATA and BDAT are
read here in large chunks (data.py), not line by line.

Front-end specifics (greeting, EHLO list, rules, delivery) live in the
``FrontEnd`` object, never here.

Protection against abuse sits here because every front end needs it: the
lab-wide connection caps (checked before the banner), a total-session
deadline and a minimum data rate for bodies (both ``421 4.4.1``), a limit on
failed AUTH commands per connection, and credentials that are never echoed,
logged or stored (a refused AUTH's pipelined answers included).
"""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any, cast

from aiosmtpd.smtp import SMTP, TLSSetupException

from exolab.emulator.lab import LabContext
from exolab.emulator.policy.limits import connection_allowed, data_too_slow
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import Renderer, catalog, rfc1123
from exolab.emulator.replies.model import Reply
from exolab.emulator.smtp.data import CHUNK, Body, parse_bdat, read_dot_body
from exolab.emulator.smtp.faults import SessionFaults
from exolab.emulator.smtp.frontend import FrontEnd
from exolab.emulator.smtp.gatekeeper import (
    INTERNAL_ERROR_MARKER,
    SessionLog,
    gate_aiosmtpd_log,
    translate,
)
from exolab.emulator.smtp.session import REDACTED, SessionState
from exolab.emulator.smtp.tlsbuffer import SMTPTLSProtocol
from exolab.emulator.store import StoreFull

log = logging.getLogger(__name__)

COMMAND_LIMIT = 2048
"""Longest command line accepted (a long MAIL FROM with parameters fits)."""
AUTH_LIMIT = 32768
"""AUTH lines carry OAuth tokens (several KB of base64)."""
UNKNOWN_BODY_LIMIT_SLACK = 1 << 20
CLOSE_GRACE = 0.5
"""Seconds a closed connection may take to say goodbye before its socket is dropped."""
COMMIT_GRACE = 0.5
"""A deadline that falls while a message is being committed waits this long and looks again:
the commit finishes and its reply is sent (a 250 means the message is on disk)."""
SECRET_LINES = 2
"""Lines after a refused AUTH that may be its answers (LOGIN: user name and password)."""
SASL_NAMES = frozenset(
    {"LOGIN", "PLAIN", "XOAUTH2", "OAUTHBEARER", "CRAM-MD5", "DIGEST-MD5", "NTLM", "GSSAPI"}
    | {"SCRAM-SHA-1", "SCRAM-SHA-256", "EXTERNAL", "ANONYMOUS"}
)
"""Mechanism names recorded as sent; anything else on the AUTH line may be a credential."""


_SIMPLE_PATH = re.compile(r"<([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+|)>(?:\s+(.*))?$")


class _NoHooks:
    """aiosmtpd wants a handler object; every decision is made by the front end instead."""


_NO_HOOKS = _NoHooks()


_VERBS: dict[type, frozenset[str]] = {}


def _verbs(cls: type) -> frozenset[str]:
    """The SMTP verbs a protocol class handles (its ``smtp_*`` methods), once per class."""
    verbs = _VERBS.get(cls)
    if verbs is None:
        verbs = _VERBS[cls] = frozenset(name[5:] for name in dir(cls) if name.startswith("smtp_"))
    return verbs


class _VerbTable(Mapping[str, Any]):
    """aiosmtpd's ``_smtp_methods`` (verb -> bound handler), bound when a verb is looked up.

    A dict of every bound ``smtp_*`` method, built for each connection,
    costs more than the handful of verbs a session sends; aiosmtpd only
    calls ``get`` on it (and walks it for its own HELP, which is overridden).
    """

    __slots__ = ("_owner", "_verbs")

    def __init__(self, owner: object) -> None:
        self._owner = owner
        self._verbs = _verbs(type(owner))

    def get(self, verb: str, default: Any = None) -> Any:
        if verb in self._verbs:
            return getattr(self._owner, "smtp_" + verb)
        return default

    def __getitem__(self, verb: str) -> Any:
        if verb not in self._verbs:
            raise KeyError(verb)
        return getattr(self._owner, "smtp_" + verb)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._verbs))

    def __len__(self) -> int:
        return len(self._verbs)


_NO_VERBS: dict[str, Any] = {}
"""The verb table of a released session (``ExchangeSMTP._release``): it knows no verb."""


def _verb(name: str, text: str) -> Verdict:
    return Verdict(catalog.UNRECOGNIZED, "unrecognized_command", text, params={"verb": name})


class ExchangeSMTP(SMTP):
    line_length_limit = AUTH_LIMIT + 2  # the reader's limit; command limits are checked per verb
    _closed: asyncio.Future[None]
    """asyncio's close waiter (``StreamReaderProtocol``), which typeshed does not declare."""

    def __init__(self, frontend: FrontEnd) -> None:
        self.frontend = frontend
        self.lab = frontend.lab
        self.state: SessionState | None = None
        self.renderer: Renderer | None = None
        self._greeted = False
        self._ended = False
        self._refused = False
        self._source: str | None = None
        self._received = 0
        self._body_mark: int | None = None
        self._committing = False
        self._deadline: asyncio.TimerHandle | None = None
        self._rate_timer: asyncio.TimerHandle | None = None
        self.faults: SessionFaults | None = None
        """Set only when the tenant has ``[[Fault]]`` rules: every stage checks ``is None``."""
        self.log = SessionLog(log, "-")
        self._init_aiosmtpd(frontend)
        gate_aiosmtpd_log()

    def _init_aiosmtpd(self, frontend: FrontEnd) -> None:
        """What ``SMTP.__init__`` sets up, without its per-connection introspection.

        ``SMTP.__init__`` walks ``inspect.getmembers`` of the protocol and the
        handler on every connection to find AUTH mechanisms and hooks, about
        0.15 ms a session; here there are no aiosmtpd mechanisms or hooks
        (the front end decides everything), the verb table is computed once
        per class and a handler is bound only when its verb arrives.
        ``test_base_adapter`` checks that every attribute aiosmtpd's own
        constructor sets is set here too.
        """
        loop = asyncio.get_running_loop()
        self.__ident__ = "exolab"
        self.loop = loop
        asyncio.StreamReaderProtocol.__init__(
            self,
            asyncio.StreamReader(loop=loop, limit=self.line_length_limit),
            client_connected_cb=self._cb_client_connected,
            loop=loop,
        )
        self.event_handler = _NO_HOOKS
        self.data_size_limit = None
        self.enable_SMTPUTF8 = True
        self._decode_data = False
        self.command_size_limits = _Limits({"AUTH": AUTH_LIMIT})
        self.command_size_limit = COMMAND_LIMIT
        self.hostname = frontend.endpoint  # never socket.getfqdn() per connection
        self.tls_context = frontend.tls_context
        self.require_starttls = False
        self._timeout_duration = self.lab.tenant.lab.idle_timeout
        self._timeout_handle = None
        self._idle_deadline = 0.0
        self._tls_handshake_okay = True
        self._tls_protocol = None
        self._original_transport = None
        self.session = None
        self.envelope = None
        self.transport = None
        self._handler_coroutine = None
        self._auth_require_tls = True
        self._proxy_timeout = None
        self._authenticator = None
        self._auth_callback = None
        self._auth_required = False
        self._auth_methods = {}
        self._handle_hooks = {}
        self._ehlo_hook_ver = None
        self._smtp_methods = _VerbTable(self)  # type: ignore[assignment]  # aiosmtpd only .get()s
        self._enforce_call_limit = False

    # -- connection life ---------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        first = self.state is None and self._original_transport is None
        if first and not self._admit(transport):
            return
        super().connection_made(transport)
        if first:
            self._begin(transport)

    def _admit(self, transport: asyncio.BaseTransport) -> bool:
        """Count the connection, or refuse it before the banner when a cap is reached.

        A refused connection is never a session: it is not recorded (a flood
        of them must not fill the store), only counted.
        """
        peer = transport.get_extra_info("peername") or ("0.0.0.0", 0)
        source = str(peer[0])
        counts = self.lab.connections
        verdict = connection_allowed(counts.held_by(source), counts.total, self.lab.tenant.limits)
        if verdict is None:
            counts.opened(source)
            self._source = source
            return True
        counts.refused += 1
        self._refused = True
        lab = self.lab
        renderer = Renderer(
            self.frontend.names_for(0), lab.clock, lab.rng("refused"), lab.tenant.lab.reply_trailer
        )
        lines = renderer.lines(verdict.reply, **verdict.params)
        raw = cast(asyncio.WriteTransport, transport)
        raw.write(("\r\n".join(lines) + "\r\n").encode("ascii", "replace"))
        raw.close()
        log.debug("refused a connection from %s: %s", source, verdict.note)
        return False

    def _begin(self, transport: asyncio.BaseTransport) -> None:
        lab = self.lab
        peer = transport.get_extra_info("peername") or ("0.0.0.0", 0)
        client_ip = str(peer[0])
        sid = lab.store.allocate_session_id()
        names = self.frontend.names_for(sid)
        rng = lab.rng(f"session:{self.frontend.endpoint}:{sid}")
        site = lab.tenant.site_for_source(client_ip)
        self.state = SessionState(
            id=sid,
            endpoint=self.frontend.endpoint,
            port=self.frontend.port,
            client_ip=client_ip,
            public_ip=lab.tenant.public_ip_for(client_ip),
            site=site.name if site else None,
            clock=lab.clock,
            names=names,
            rng=rng,
            started_at=lab.clock.now(),
            started_mono=lab.clock.monotonic(),
        )
        self.renderer = Renderer(names, lab.clock, rng, lab.tenant.lab.reply_trailer)
        self.state.renderer = self.renderer
        self.faults = SessionFaults(self) if lab.tenant.fault else None
        self.log = SessionLog(log, str(sid), scrub=self.state.scrub)
        self._deadline = self.loop.call_later(
            lab.tenant.limits.connection_timeout, self._deadline_cb
        )
        self.frontend.opened(self)

    def connection_lost(self, error: Exception | None) -> None:
        if self._refused:
            self._release()
            return  # refused before aiosmtpd saw it: nothing of its own to tear down
        try:
            super().connection_lost(error)
        finally:
            self._end()
            self._release_when_handled()

    def eof_received(self) -> bool | None:
        if self._handler_coroutine is None:  # released: the session is over
            return False
        return super().eof_received()

    def _release_when_handled(self) -> None:
        """Release the session once its command loop (cancelled by aiosmtpd at the loss)
        has finished: nothing of the session runs after that."""
        task = self._handler_coroutine
        if task is None or task.done():
            self._release()
        else:
            task.add_done_callback(lambda _: self._release())

    def _release(self) -> None:
        """Break the references that tie an ended session to itself, so it is freed at once.

        The protocol holds its verb table, aiosmtpd's stream reader and writer, the
        callback aiosmtpd was given and its finished command loop, and each of these
        holds the protocol: the loop through the cancellation's traceback, the reader
        and asyncio's close waiter through the traceback of the error that broke the
        connection. Left so, every ended session, with its transcript, TLS objects and
        buffers, waited for Python's cycle collector, whose full passes then freed
        hundreds at once (about 7 % of the lab's CPU under load, and pauses of about
        0.2 s). The record is already written (``_end``); only the loss path and
        timers that check ``_ended`` can still reach the protocol.
        """
        reader = cast(asyncio.StreamReader | None, getattr(self, "_reader", None))  # refused: none
        error = reader.exception() if reader is not None else None
        if error is not None:  # its traceback's frames hold the session; nothing reads them now
            error.__traceback__ = None
        closed = self._closed  # asyncio's close waiter keeps the error's traceback too
        if closed.done() and not closed.cancelled() and closed.exception() is not None:
            self._closed = self.loop.create_future()
            self._closed.set_result(None)
        self._handler_coroutine = None
        self._smtp_methods = _NO_VERBS
        self._writer = None  # type: ignore[assignment]  # as aiosmtpd's transport, None when over
        self._reader = None  # type: ignore[assignment]
        self._client_connected_cb = None
        self.faults = None

    def data_received(self, data: bytes) -> None:
        self._received += len(data)  # plaintext, after TLS: what the data-rate check reads
        super().data_received(data)

    def _end(self) -> None:
        if self._ended or self.state is None:
            return
        self._ended = True
        for timer in (self._deadline, self._rate_timer):
            if timer is not None:
                timer.cancel()
        if self._source is not None:
            self.lab.connections.released(self._source)
        try:
            self.frontend.closed(self)
        except Exception as error:  # a failing store must not take the event loop down
            self.log.log(logging.ERROR, "recording the session failed", exc_info=error)

    def _cut(self, rule: str, reason: str) -> None:
        """Say ``421 4.4.1`` with the session's duration, and close."""
        if self.state is None or self.transport is None or self._ended:
            return
        elapsed = self.lab.clock.monotonic() - self.state.started_mono
        verdict = Verdict(
            catalog.IDLE_TIMEOUT, rule, reason, params={"duration": _duration(elapsed)}
        )
        self._write(verdict)
        self._close()

    def _deadline_cb(self) -> None:
        if self._committing:
            self._deadline = self.loop.call_later(COMMIT_GRACE, self._deadline_cb)
            return
        limit = self.lab.tenant.limits.connection_timeout
        self._cut("connection_timeout", f"open for {limit:g} s (Limits.ConnectionTimeout)")

    def _body_started(self) -> None:
        """Measure the body's data rate from now, one ``Lab.DataRateWindow`` at a time."""
        settings = self.lab.tenant.lab
        if settings.min_data_rate <= 0 or self._rate_timer is not None:
            return
        self._body_mark = self._received
        self._rate_timer = self.loop.call_later(settings.data_rate_window, self._rate_cb)

    def _body_ended(self) -> None:
        if self._rate_timer is not None:
            self._rate_timer.cancel()
        self._rate_timer, self._body_mark = None, None

    def _rate_cb(self) -> None:
        settings = self.lab.tenant.lab
        mark = self._body_mark if self._body_mark is not None else self._received
        got = self._received - mark
        self._rate_timer = None
        if data_too_slow(got, settings.data_rate_window, settings.min_data_rate):
            self._cut(
                "min_data_rate",
                f"{got} bytes of message data in {settings.data_rate_window:g} s "
                f"(Lab.MinDataRate {settings.min_data_rate} bytes/s)",
            )
            return
        self._body_mark = self._received
        self._rate_timer = self.loop.call_later(settings.data_rate_window, self._rate_cb)

    def _reset_timeout(self, duration: float | None = None) -> None:
        """Push the idle deadline back: every command and every piece of a body calls this.

        aiosmtpd cancels its timer and schedules a new one each time (a heap
        push, and a cancelled handle left in the loop's heap, per line). Here
        one timer per session looks at the deadline when it fires and, when
        the client was active meanwhile, sleeps again until the new deadline.
        """
        deadline = self.loop.time() + (duration or self._timeout_duration)
        self._idle_deadline = deadline
        handle = self._timeout_handle
        if handle is None or handle.cancelled() or deadline < handle.when():
            if handle is not None:
                handle.cancel()
            self._timeout_handle = self.loop.call_at(deadline, self._idle_check)

    def _idle_check(self) -> None:
        if self.loop.time() < self._idle_deadline:
            self._timeout_handle = self.loop.call_at(self._idle_deadline, self._idle_check)
            return
        self._timeout_cb()

    def _timeout_cb(self) -> None:
        if self.state is not None and self.transport is not None:
            verdict = Verdict(
                catalog.INACTIVITY_TIMEOUT,
                "idle_timeout",
                f"no command for {self.lab.tenant.lab.idle_timeout:g} s",
            )
            self._write(verdict)
        super()._timeout_cb()  # type: ignore[no-untyped-call]
        self.loop.call_later(CLOSE_GRACE, self._drop)

    # -- writing: every line goes through here ---------------------------------------

    def _open(self) -> bool:
        """True while a reply can still reach the client.

        A closed connection can still have a command in hand: aiosmtpd reads
        on through the lines a client pipelined behind a closing reply, and
        a client that closes right after QUIT is answered after its close.
        A closed TLS transport must not be written to at all: closed twice
        (the lab closes it, then aiosmtpd does), asyncio drops its TLS state
        and a write raises ``AttributeError``.
        """
        if self.transport is None or self.transport.is_closing():
            return False
        return not self._writer.transport.is_closing()

    def _write(self, verdict: Verdict, **params: object) -> bool:
        """Say ``verdict``; False (recorded as a note) when the connection is already closed."""
        assert self.state is not None and self.renderer is not None
        if verdict.rule != "auth_challenge":
            self.state.decided(verdict)
        lines = self.renderer.lines(verdict.reply, **{**verdict.params, **params})
        if not self._open():
            self.state.note(f"not sent (the connection was closed): {lines[0][:3]} {verdict.rule}")
            return False
        self.state.said(lines)
        data = ("\r\n".join(lines) + "\r\n").encode("utf-8", "replace")
        self._writer.write(data)
        return True

    async def reply(self, verdict: Verdict, **params: object) -> None:
        """Send ``verdict`` after its delay; close when it says so."""
        if verdict.delay > 0:
            await asyncio.sleep(verdict.delay)
        if self.transport is None:
            return
        if not self._write(verdict, **params):
            # the session is over: what the client pipelined behind it is never run
            raise asyncio.CancelledError()
        await self._writer.drain()
        if verdict.closes:
            self._close()

    def _close(self) -> None:
        """Close politely, but never wait on the client for long.

        A TLS close waits for the peer's close_notify (asyncio allows 30 s);
        a device that stopped reading never sends it, so the connection and
        its session record would outlive a lab stop. After ``CLOSE_GRACE``
        the socket is dropped, which ends the session (and records it).
        """
        if self.transport is not None:
            if not self.transport.is_closing():
                self.transport.close()  # a second close() drops an asyncio TLS transport's state
            self.loop.call_later(CLOSE_GRACE, self._drop)
        if self._handler_coroutine is not None:
            self._handler_coroutine.cancel()

    def _drop(self) -> None:
        """Abort a connection still open ``CLOSE_GRACE`` after ``_close``."""
        raw = cast(asyncio.Transport | None, self._original_transport or self.transport)
        if not self._ended and raw is not None:
            raw.abort()

    async def push(self, status: str | bytes) -> None:
        """The gatekeeper: aiosmtpd's own texts never reach the wire, their catalog entry does."""
        assert self.state is not None
        text = status.decode("utf-8", "replace") if isinstance(status, bytes) else status
        meaning = translate(text, self._greeted)
        if meaning.kind == "banner":
            self._greeted = True
            if self.faults is not None and (
                await self.faults.fire("connect") or await self.faults.fire("banner")
            ):
                return
            banner = Verdict(catalog.BANNER, "banner", "connection accepted")
            names = self.state.names
            await self.reply(banner, host=names.banner_host, date=rfc1123(self.lab.clock.now()))
            return
        if meaning.kind == "unknown":
            if self.state.secret_lines > 0:
                self.state.secret_lines -= 1
                self.state.heard("<redacted: a line after a refused AUTH>")
                verdict = _verb("unknown", "a line after a refused AUTH, taken as its answer")
            else:
                shown = meaning.verb if meaning.verb != "unknown" else "(unreadable line)"
                self.state.heard(shown)
                self.log.log(logging.INFO, "unrecognized command %s", shown)
                verdict = _verb(meaning.verb, "not a command this endpoint knows")
            delay = self.lab.tenant.lab.unknown_command_delay
            await self.reply(
                Verdict(verdict.reply, verdict.rule, verdict.reason, verdict.params, delay=delay)
            )
            return
        if meaning.kind == "too_many_errors":
            self.state.heard("(unrecognized command)")
            await self.reply(Verdict(catalog.TOO_MANY_ERRORS, "too_many_errors", meaning.original))
            return
        await self.reply(Verdict(catalog.INTERNAL_ERROR, "internal_error", meaning.original))

    async def handle_exception(self, error: Exception) -> str:
        if self.state is not None:
            self.state.note(f"internal_error: {type(error).__name__}: {str(error)[:200]}")
        if not isinstance(error, TLSSetupException):
            self.log.log(logging.ERROR, "session failed", exc_info=error)
        return INTERNAL_ERROR_MARKER

    # -- helpers for the verbs ----------------------------------------------------------

    def _facts(self) -> Any:
        assert self.state is not None
        return self.state.facts(self.lab.tenant)

    def _syntax(self, what: str) -> Verdict:
        return Verdict(catalog.MAIL_SYNTAX, "syntax", what)

    def _hear(self, verb: str, arg: str | None) -> SessionState:
        assert self.state is not None
        self.state.secret_lines = 0  # a known command: the client has moved on
        self.state.heard(f"{verb} {arg}" if arg else verb)
        return self.state

    # -- greeting ------------------------------------------------------------------------

    async def smtp_EHLO(self, arg: str | None) -> None:
        await self._hello("EHLO", arg, extended=True)

    async def smtp_HELO(self, arg: str | None) -> None:
        await self._hello("HELO", arg, extended=False)

    async def _hello(self, verb: str, arg: str | None, extended: bool) -> None:
        state = self._hear(verb, arg)
        if self.faults is not None and await self.faults.fire("ehlo", helo=arg):
            return
        if not arg:
            await self.reply(self._syntax(f"{verb} without a name"))
            return
        state.helo, state.esmtp = arg, extended
        state.reset_transaction()
        assert self.session is not None
        self.session.host_name = arg
        self.session.extended_smtp = extended
        reply = (
            self.frontend.ehlo_reply(state.tls_version is not None) if extended else catalog.HELO
        )
        verdict = Verdict(reply, verb.lower(), f"client calls itself {arg!r}")
        await self.reply(
            verdict,
            host=state.names.banner_host,
            client_ip=state.public_ip,
            size=self.lab.tenant.limits.max_message_size,
        )

    # -- STARTTLS ------------------------------------------------------------------------------

    async def smtp_STARTTLS(self, arg: str | None) -> None:
        state = self._hear("STARTTLS", arg)
        if self.faults is not None and await self.faults.fire("starttls"):
            return
        if arg:
            await self.reply(self._syntax("STARTTLS takes no argument"))
            return
        if self.tls_context is None:
            await self.reply(_verb("STARTTLS", "this front end offers no TLS"))
            return
        if state.tls_version is not None:
            await self.reply(
                Verdict(catalog.STARTTLS_ALREADY, "starttls_twice", "TLS is already on")
            )
            return
        verdict = self.frontend.check_starttls(self._facts())
        await self.reply(verdict)
        if not verdict.accepted:
            return
        if self.faults is not None and await self.faults.fire("tls"):
            return
        waiter = self.loop.create_future()
        self._tls_protocol = SMTPTLSProtocol(
            self.loop, self, self.tls_context, waiter, server_side=True
        )
        self._original_transport = self.transport
        assert self._original_transport is not None
        self._original_transport.set_protocol(self._tls_protocol)
        self.transport = self._tls_protocol._app_transport
        self._tls_protocol.connection_made(self._original_transport)
        try:
            await waiter
        except asyncio.CancelledError:
            raise
        except Exception as error:
            state.note(f"starttls: handshake failed: {error}")
            state.outcome = f"TLS handshake failed: {type(error).__name__}"
            raise TLSSetupException() from error
        ssl_object = cast(ssl.SSLObject | None, self.transport.get_extra_info("ssl_object"))
        state.tls_version = ssl_object.version() if ssl_object else None
        cipher = ssl_object.cipher() if ssl_object else None
        state.cipher = cipher[0] if cipher else None
        state.peer_certificate = dict(ssl_object.getpeercert() or {}) if ssl_object else None
        state.note(f"starttls: {state.tls_version} {state.cipher}")
        state.helo, state.esmtp = None, False  # RFC 3207: forget the EHLO
        state.reset_transaction()

    # -- AUTH --------------------------------------------------------------------------------

    async def smtp_AUTH(self, arg: str | None) -> None:
        assert self.state is not None
        state = self.state
        state.secret_lines = 0
        name, _, rest = (arg or "").strip().partition(" ")
        name = name.upper()
        initial = rest.strip() or None
        mechanism = self.frontend.mechanisms.get(name)
        known = name in SASL_NAMES or name in self.frontend.mechanisms or not name
        shown = name if known else "<unknown mechanism>"
        if initial is not None and initial != "=":  # "=" is an empty response: nothing to hide
            # a credential whatever the mechanism: LOGIN's is a user name, or a password
            # typed where the user name belongs
            state.keep_secret(initial)
            state.heard(f"AUTH {shown} <initial response redacted>")
        else:
            state.heard(f"AUTH {shown} {initial}" if initial else f"AUTH {shown}")
        if self.faults is not None and await self.faults.fire("auth"):
            return
        refusal = self.frontend.check_auth_command(self._facts(), shown)
        if refusal is not None or mechanism is None:
            assert refusal is not None, "a front end must refuse an unknown mechanism"
            # the answers the client may already have sent (pipelined) are credentials
            state.secret_lines = SECRET_LINES - (initial is not None)
            await self.reply(refusal)
            return
        result = await mechanism.authenticate(_Exchange(self), None if initial == "=" else initial)
        verdict = result.verdict
        if verdict.accepted and result.identity:
            state.identity, state.auth_method = result.identity, mechanism.name
            assert self.session is not None
            self.session.authenticated = True
            self.frontend.authenticated(state)
        elif verdict.reply.code in (535, 550):
            state.last_auth_error = verdict
        if verdict.reply.code == 535:
            state.auth_failures += 1
            limit = self.lab.tenant.limits.max_logon_failures
            if state.auth_failures >= limit:
                state.note(f"max_logon_failures: {state.auth_failures} failed AUTH; closing")
                verdict = replace(verdict, close=True)
        await self.reply(verdict)

    # -- the transaction ---------------------------------------------------------------------

    async def smtp_MAIL(self, arg: str | None) -> None:
        state = self._hear("MAIL", arg)
        if self.faults is not None and await self.faults.fire("mail"):
            return
        address, size = self._parse_path("FROM:", arg, with_size=True)
        verdict = self.frontend.check_mail(state, self._facts(), address, size)
        if verdict.accepted:
            state.mail_from, state.mail_size = address, size
        await self.reply(verdict)

    async def smtp_RCPT(self, arg: str | None) -> None:
        state = self._hear("RCPT", arg)
        if self.faults is not None and await self.faults.fire("rcpt"):
            return
        address, _ = self._parse_path("TO:", arg, with_size=False)
        verdict = self.frontend.check_rcpt(state, self._facts(), address)
        if verdict.accepted and address:
            state.rcpts.append(address)
        await self.reply(verdict)

    def _parse_path(
        self, keyword: str, arg: str | None, with_size: bool
    ) -> tuple[str | None, int | None]:
        """The address (None when unparseable) and the SIZE= parameter."""
        rest = self._strip_command_keyword(keyword, arg or "")
        if rest is None:
            return None, None
        simple = _SIMPLE_PATH.match(rest)  # <local@domain> as devices send it: skip the full parser
        address, tail = (simple[1], simple[2]) if simple else self._getaddr(rest)
        if address is None:
            return None, None
        params = self._getparams((tail or "").split())
        if params is None:
            return None, None
        size: int | None = None
        raw_size = {k.upper(): v for k, v in params.items()}.get("SIZE")
        if with_size and raw_size is not None:
            if not isinstance(raw_size, str) or not raw_size.isdigit():
                return None, None
            size = int(raw_size)
        return str(address), size

    async def smtp_DATA(self, arg: str | None) -> None:
        state = self._hear("DATA", arg)
        if arg:
            await self.reply(self._syntax("DATA takes no argument"))
            return
        if state.bdat is not None:
            await self.reply(
                Verdict(catalog.BDAT_SEQUENCE, "data_after_bdat", "DATA inside a BDAT transfer")
            )
            return
        if self.faults is not None and await self.faults.fire("data"):
            return
        verdict = self.frontend.check_data(state, self._facts())
        await self.reply(verdict)
        if verdict.reply.code != 354:
            return
        limit = self.lab.tenant.limits.max_message_size
        self._body_started()
        try:
            body = await read_dot_body(self._reader, limit, self._reset_timeout)
        finally:
            self._body_ended()
        if body is None:
            state.note("data: the client went away before the end of data")
            self._close()
            return
        state.heard(f"<message data: {body.size} bytes>")
        await self._end_of_data(body)

    async def smtp_BDAT(self, arg: str | None) -> None:
        state = self._hear("BDAT", arg)
        parsed = parse_bdat(arg)
        if parsed is None:
            await self.reply(self._syntax("BDAT <size> [LAST]"))
            return
        size, last = parsed
        if state.bdat is None and state.bdat_failed is None:
            verdict = self.frontend.check_data(state, self._facts())
            if verdict.reply.code != 354:
                state.bdat_failed = verdict
            else:
                state.bdat = bytearray()
        limit = self.lab.tenant.limits.max_message_size
        keep = state.bdat is not None and state.bdat_size + size <= limit
        self._body_started()
        try:
            complete = await self._read_chunk(size, state.bdat if keep else None)
        finally:
            self._body_ended()
        if not complete:
            state.note("bdat: the client went away in the middle of a chunk")
            self._close()
            return
        state.heard(f"<chunk: {size} bytes>")
        if state.bdat_failed is not None:
            await self.reply(state.bdat_failed)
            if last:
                state.reset_transaction()
            return
        assert state.bdat is not None
        state.bdat_size += size
        if state.bdat_size > limit:
            state.bdat.clear()
        if not last:
            await self.reply(Verdict(catalog.BDAT_OK, "bdat_chunk", f"{size} bytes"), size=size)
            return
        kept = state.bdat_size <= self.lab.tenant.limits.max_message_size
        body = Body(bytes(state.bdat) if kept else b"", state.bdat_size, kept)
        state.bdat = None
        await self._end_of_data(body)

    async def _read_chunk(self, size: int, sink: bytearray | None) -> bool:
        """Read ``size`` bytes of a BDAT chunk into ``sink`` (None: discard them).

        In pieces, so an over-size chunk is never held in memory and a long
        one keeps the idle timer from firing while its bytes arrive.
        False when the client went away first.
        """
        remaining = size
        while remaining:
            piece = await self._reader.read(min(remaining, CHUNK))
            if not piece:
                return False
            self._reset_timeout()
            remaining -= len(piece)
            if sink is not None:
                sink += piece
        return True

    async def _end_of_data(self, body: Body) -> None:
        self._committing = True  # the session deadline waits for the commit and its reply
        try:
            await self._judge_and_commit(body)
        finally:
            self._committing = False

    async def _judge_and_commit(self, body: Body) -> None:
        assert self.state is not None
        if self.faults is not None and await self.faults.fire(
            "eod", commit=lambda: self._commit(body)
        ):
            self.state.reset_transaction()
            return
        verdict = await self._commit(body)
        self.state.reset_transaction()
        await self.reply(verdict)

    async def _commit(self, body: Body) -> Verdict:
        """Judge the message and store it where it belongs; the verdict to answer with."""
        assert self.state is not None
        try:
            return await self.frontend.end_of_data(self.state, self._facts(), body)
        except StoreFull as full:  # the store logged the cause; nothing of the message is kept
            return Verdict(catalog.STORE_FULL, "store_full", str(full))

    # -- the rest ------------------------------------------------------------------------------

    async def smtp_RSET(self, arg: str | None) -> None:
        state = self._hear("RSET", arg)
        state.reset_transaction()
        await self.reply(Verdict(catalog.RSET, "rset", "transaction cleared"))

    async def smtp_NOOP(self, arg: str | None) -> None:
        self._hear("NOOP", arg)
        await self.reply(Verdict(catalog.NOOP, "noop", "nothing to do"))

    async def smtp_QUIT(self, arg: str | None) -> None:
        self._hear("QUIT", arg)
        if self.faults is not None and await self.faults.fire("quit"):
            return
        await self.reply(Verdict(catalog.QUIT, "quit", "client said goodbye"))

    async def smtp_VRFY(self, arg: str | None) -> None:
        self._hear("VRFY", arg)
        await self.reply(Verdict(catalog.VRFY_CANNOT, "vrfy", "VRFY is never answered"))

    async def smtp_EXPN(self, arg: str | None) -> None:
        self._hear("EXPN", arg)
        verdict = _verb("EXPN", "EXPN is not offered")
        delay = self.lab.tenant.lab.unknown_command_delay
        await self.reply(
            Verdict(verdict.reply, verdict.rule, verdict.reason, verdict.params, delay=delay)
        )

    async def smtp_HELP(self, arg: str | None) -> None:
        self._hear("HELP", arg)
        await self.reply(Verdict(catalog.HELP, "help", "command list"))


class _Limits(dict[str, int]):
    """Per-verb command length limits with one default (aiosmtpd reads ``[verb]``)."""

    def __missing__(self, key: str) -> int:
        return COMMAND_LIMIT


class _Exchange:
    """The ``AuthExchange`` a mechanism talks through."""

    def __init__(self, protocol: ExchangeSMTP) -> None:
        self._p = protocol

    def facts(self) -> Any:
        return self._p._facts()

    def lab(self) -> LabContext:
        return self._p.lab

    def keep_secret(self, *values: str | None) -> None:
        assert self._p.state is not None
        self._p.state.keep_secret(*values)

    async def challenge(self, reply: Reply, **params: object) -> str | None:
        p = self._p
        assert p.state is not None
        await p.reply(Verdict(reply, "auth_challenge", reply.id), **params)
        try:
            line = await p._reader.readuntil(b"\n")
        except asyncio.LimitOverrunError as exc:
            await p._reader.read(exc.consumed)
            p.state.heard("<over-long AUTH answer>")
            return ""
        except asyncio.IncompleteReadError:
            p._close()
            raise asyncio.CancelledError() from None
        p._reset_timeout()
        text = line.rstrip(b"\r\n").decode("utf-8", "surrogateescape")
        if text == "*":
            p.state.heard(text)
            return None
        p.state.keep_secret(text)  # every answer to a 334 is a credential or part of one
        p.state.heard(REDACTED)
        return text


def _duration(seconds: float) -> str:
    """``00:20:55.2872355``: .NET TimeSpan text as in the real 4.4.1 reply."""
    td = timedelta(seconds=seconds)
    hours, rem = divmod(td.seconds + td.days * 86400, 3600)
    minutes, secs = divmod(rem, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{td.microseconds * 10:07d}"
