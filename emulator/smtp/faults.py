"""Carrying out the fault rules that fire in one SMTP session.

Which rule fires is decided by ``emulator.faults`` (pure, seeded); this
module does what the rule says, each action one small registered function
(``ACTIONS``). A session of a lab with no fault rules gets no ``SessionFaults``
at all: the adapter's check at each stage is then a single ``is None``.

An action answers whether it has taken the stage over: True means the
adapter must not go on with the stage's own work (the fault replied, reset
or closed); False means the stage goes on (a stall, a slowed line).
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, cast

from exolab.emulator.faults import (
    RECORD_HEADER,
    FaultPoint,
    FaultReplyError,
    Fired,
    alert_record,
    hello_length,
    resolve_reply,
)
from exolab.emulator.lab import LabContext
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.smtp.session import SessionState


class FaultTarget(Protocol):
    """What an action needs of the SMTP adapter (``ExchangeSMTP``), named without importing it."""

    lab: LabContext
    state: SessionState | None
    transport: Any
    _original_transport: Any
    _reader: asyncio.StreamReader

    async def reply(self, verdict: Verdict, **params: object) -> None: ...

    def _close(self) -> None: ...


HELLO_WAIT = 30.0
"""How long a ``tls_alert`` fault waits for the ClientHello before it closes without one."""

Action = Callable[["SessionFaults", Fired, dict[str, Any]], Awaitable[bool]]
ACTIONS: dict[str, Action] = {}


def action(name: str) -> Callable[[Action], Action]:
    def register(function: Action) -> Action:
        ACTIONS[name] = function
        return function

    return register


class SessionFaults:
    """The fault rules as one session meets them, stage by stage."""

    def __init__(self, protocol: FaultTarget) -> None:
        self.p = protocol
        self.slow = 0.0
        """Seconds every later stage waits before it answers (a ``slow`` fault fired)."""

    async def fire(self, stage: str, **context: Any) -> bool:
        """Apply the fault that fires at ``stage``, if one does; True: it took the stage over."""
        p = self.p
        state = p.state
        if state is None or p.transport is None:
            return False
        if self.slow > 0:
            await asyncio.sleep(self.slow)
        point = FaultPoint(
            stage=stage,
            endpoint=state.endpoint,
            port=state.port,
            source=state.client_ip,
            site=state.site,
            user=state.identity or state.mail_from,
            now=p.lab.clock.now(),
            helo=context.get("helo") or state.helo,
        )
        tenant = p.lab.tenant
        fired = p.lab.faults.consult(tenant.fault, point, tenant.lab.seed)
        if fired is None:
            return False
        state.note(fired.note())
        state.faults.append(fired.summary())
        return await ACTIONS[fired.rule.action](self, fired, context)


@action("reply")
async def _reply(faults: SessionFaults, fired: Fired, context: dict[str, Any]) -> bool:
    p = faults.p
    assert p.state is not None and fired.rule.reply is not None
    try:
        reply = resolve_reply(fired.rule.reply)
    except FaultReplyError as error:  # a rule added past validation: say so, carry on
        p.state.note(f"fault {fired.rule.name}: not applied: {error}")
        return False
    # 421 closes by definition; a refusal said instead of the banner ends the session too
    closes = reply.code == 421 or fired.rule.stage in ("connect", "banner")
    verdict = Verdict(
        reply,
        f"fault:{fired.rule.name}",
        f"{fired.rule.action} at {fired.rule.stage}",
        params={"client_ip": p.state.public_ip, "host": p.state.names.banner_host},
        close=closes,
    )
    await p.reply(verdict)
    return True


@action("reset")
async def _reset(faults: SessionFaults, fired: Fired, context: dict[str, Any]) -> bool:
    p = faults.p
    assert p.state is not None
    p.state.outcome = f"fault {fired.rule.name}: connection reset at {fired.rule.stage}"
    raw = cast(asyncio.Transport | None, p._original_transport or p.transport)
    if raw is not None:
        sock = raw.get_extra_info("socket")
        if sock is not None:  # linger 0: close() sends a TCP RST, not a FIN
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        raw.abort()
    return True


@action("close")
async def _close(faults: SessionFaults, fired: Fired, context: dict[str, Any]) -> bool:
    p = faults.p
    assert p.state is not None
    p.state.outcome = f"fault {fired.rule.name}: connection closed at {fired.rule.stage}"
    p._close()
    return True


@action("stall")
async def _stall(faults: SessionFaults, fired: Fired, context: dict[str, Any]) -> bool:
    await asyncio.sleep(fired.rule.seconds)
    return False


@action("slow")
async def _slow(faults: SessionFaults, fired: Fired, context: dict[str, Any]) -> bool:
    faults.slow = fired.rule.seconds
    await asyncio.sleep(fired.rule.seconds)
    return False


@action("lose_250")
async def _lose_250(faults: SessionFaults, fired: Fired, context: dict[str, Any]) -> bool:
    """Commit the message as usual, then never say the 250: the client cannot know it landed."""
    p = faults.p
    state = p.state
    assert state is not None
    verdict: Verdict = await context["commit"]()
    if not verdict.accepted:  # nothing was stored: there is no 250 to lose
        await p.reply(verdict)
        return True
    state.note(f"fault {fired.rule.name}: the message is stored; its 250 is never sent")
    state.outcome = f"fault {fired.rule.name}: delivered {state.delivered} message(s), 250 lost"
    if fired.rule.seconds > 0:
        await asyncio.sleep(fired.rule.seconds)
        p._close()
        return True
    await asyncio.get_running_loop().create_future()  # silent until the client goes away
    return True  # pragma: no cover - the wait above ends only by cancellation


@action("tls_alert")
async def _tls_alert(faults: SessionFaults, fired: Fired, context: dict[str, Any]) -> bool:
    """Read the ClientHello, answer it with a fatal alert record, close: no handshake at all.

    The whole ClientHello is read first: closing with unread bytes would make the
    kernel send an RST, and the client would see a reset instead of the alert.
    """
    p = faults.p
    assert p.state is not None
    name = fired.rule.alert
    hello = b""
    try:
        header = await asyncio.wait_for(p._reader.readexactly(RECORD_HEADER), HELLO_WAIT)
        length = hello_length(header)
        if length is not None:
            hello = await asyncio.wait_for(p._reader.readexactly(length), HELLO_WAIT)
    except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
        p.state.note(f"fault {fired.rule.name}: no ClientHello came; closed without the alert")
        p.state.outcome = f"fault {fired.rule.name}: connection closed at tls"
        p._close()
        return True
    if p.transport is not None and not p.transport.is_closing():
        p.transport.write(alert_record(name, hello))
    p.state.note(f"fault {fired.rule.name}: TLS alert {name} sent for the ClientHello")
    p.state.outcome = f"fault {fired.rule.name}: TLS alert {name} at tls"
    p._close()
    return True
