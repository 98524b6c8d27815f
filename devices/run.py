"""The thin asyncio driver: one simulated device sends one scan over real sockets.

It resolves ``settings.server`` through the lab DNS, connects from the site's
source address to the bound port of the lab's port map, speaks real TLS
(implicit or STARTTLS) with the profile's versions, feeds the sans-IO
``SmtpClient`` and carries out its events, and classifies the outcome. No
threads, no blocking calls: hundreds of sends can run in one event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import ssl
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from exolab.devices.client.config import ClientConfig
from exolab.devices.client.events import (
    Close,
    Event,
    Finished,
    Received,
    Send,
    SessionOutcome,
    Stage,
    StartTls,
)
from exolab.devices.client.machine import SmtpClient
from exolab.devices.client.states import State, stage_of
from exolab.devices.clock import Clock, SystemClock
from exolab.devices.errors import JobError, RemoteProtocolError
from exolab.devices.job import Job, build_message
from exolab.devices.network import LabNetwork
from exolab.devices.panel import panel_text
from exolab.devices.profile import Profile, Retry, Timeouts
from exolab.devices.quirks.base import QuirkChain, SecurityMode
from exolab.devices.resolve import ResolveFailed, ResolveTimeout, is_ip_literal, resolve_server
from exolab.devices.result import DeviceResult, Outcome, Transcript
from exolab.devices.retry import final_state, retry_reason
from exolab.devices.settings import Settings
from exolab.devices.tls import (
    certificate_date_problem,
    client_context,
    server_hostname,
    version_name,
)
from exolab.devices.tokens import TokenError, TokenSource

READ_CHUNK = 65536


@dataclass
class _Run:
    """Everything one send_scan call shares across its attempts."""

    profile: Profile
    settings: Settings
    network: LabNetwork
    quirks: QuirkChain
    transcript: Transcript
    timeouts: Timeouts
    source: str | None
    address: str
    port: int
    config: ClientConfig
    tls_version: str | None = None
    cipher: str | None = None
    attempts: int = 0
    tls_broken: bool = False  # a TLS handshake failed or timed out on this connection
    extra: dict[str, str] = field(default_factory=dict)

    def result(
        self, outcome: Outcome, stage: Stage | None, panel: str, reply: SessionOutcome | None = None
    ) -> DeviceResult:
        self.transcript.add("*", f"outcome {outcome}" + (f" at {stage}" if stage else ""))
        return DeviceResult(
            outcome=outcome,
            stage=stage,
            reply=reply.reply if reply is not None else None,
            tls_version=self.tls_version,
            cipher=self.cipher,
            transcript=tuple(self.transcript.lines),
            device_message=panel_text(panel),
            attempts=self.attempts,
            panel_key=panel,
            source_address=self.source,
            server_address=f"{self.address}:{self.port}",
        )


def _timeouts(profile: Profile, override: Timeouts | Mapping[str, float] | None) -> Timeouts:
    if override is None:
        return profile.timeouts
    if isinstance(override, Timeouts):
        return override
    return profile.with_timeouts(**override).timeouts


async def send_scan(
    profile: Profile,
    settings: Settings,
    job: Job,
    network: LabNetwork,
    *,
    recipients: Sequence[str],
    site: str | None = None,
    rng_seed: int = 0,
    clock: Clock | None = None,
    token_source: TokenSource | None = None,
    timeouts: Timeouts | Mapping[str, float] | None = None,
) -> DeviceResult:
    """One device sends one scan job. Bad input raises ConfigError; outcomes are returned."""
    settings.check_against(profile)
    if job.format not in profile.attachments.formats:
        raise JobError(
            "job",
            "format",
            f"one of {', '.join(profile.attachments.formats)} (what {profile.name} can attach)",
        )
    if not recipients:
        raise JobError("job", "recipients", "at least one recipient address")
    clock = clock if clock is not None else SystemClock()
    quirks = profile.quirk_chain()
    transcript = Transcript(clock)
    source = network.source_for(site)
    limits = _timeouts(profile, timeouts)
    early = _Run(
        profile,
        settings,
        network,
        quirks,
        transcript,
        limits,
        source,
        settings.server,
        settings.port,
        ClientConfig(),
    )
    max_bytes = profile.attachments.max_bytes
    if max_bytes is not None and job.size is not None and job.size > max_bytes:
        transcript.add("*", f"scan of {job.size} bytes exceeds the device limit {max_bytes}")
        return early.result("gave_up", "JOB", "job_too_large")

    token = None
    if "XOAUTH2" in profile.auth.mechanisms and token_source is not None:
        try:
            token = await token_source.token()
        except TokenError as exc:
            transcript.add("*", f"token: {exc}")
            return early.result("gave_up", stage_of(State.AUTH), "token")

    # the scan is made before the device looks for its server (as firmware does), so the
    # transcript's resolve-to-connect span (the fleet's `dns` stage) is the lookup alone
    rng = random.Random(rng_seed)
    header_from = quirks.header_from(settings.from_address)
    message = build_message(
        job, profile, header_from=header_from, recipients=recipients, clock=clock, rng=rng
    )
    try:
        transcript.add("*", f"resolve {settings.server}")
        address = await resolve_server(settings.server, network, source=source, timeout=limits.dns)
    except ResolveTimeout as exc:
        transcript.add("*", f"dns timeout: {exc}")
        return early.result("timeout", "DNS", "dns")
    except ResolveFailed as exc:
        transcript.add("*", f"dns: {exc}")
        return early.result("gave_up", "DNS", "dns")

    config = ClientConfig(
        greeting_verb=profile.greeting.verb,
        greeting_name=profile.greeting.hostname,
        mechanisms=profile.auth.mechanisms,
        auth_choice=profile.auth.choice,
        username=settings.username,
        password=quirks.password(settings.password),
        token=token,
        envelope_from=quirks.envelope_sender(settings.from_address),
        recipients=tuple(recipients),
        message=message,
        line_ending=profile.line_ending,
        pipelining=profile.pipelining,
        size_declaration=profile.size_declaration,
    )
    del message
    run = replace(
        early, address=address, port=network.port_for(address, settings.port), config=config
    )
    return await _attempts(run)


async def _attempts(run: _Run) -> DeviceResult:
    mode = run.quirks.security_mode(run.settings.profile_security(run.profile))
    policy = run.profile.retry_policy()
    fell_back = False
    log: list[dict[str, object]] = []
    while True:
        run.attempts += 1
        result = await _attempt(run, mode)
        log.append(result.summary(run.attempts))
        if (
            result.outcome == "tls_failure"
            and not fell_back
            and mode != "none"
            and run.quirks.fallback_to_plaintext(False)
        ):
            fell_back, mode = True, "none"
            run.tls_version = run.cipher = None
            run.transcript.add("*", "TLS failed: reconnecting without TLS")
            continue
        why = retry_reason(policy, result)
        if why is None or run.attempts > policy.count:
            return _finished(run, policy, result, log)
        run.transcript.add(
            "*", f"{why}: retry {run.attempts} of {policy.count} in {policy.interval:g}s"
        )
        await asyncio.sleep(policy.interval)


def _finished(
    run: _Run, policy: Retry, result: DeviceResult, log: list[dict[str, object]]
) -> DeviceResult:
    """The last try's result with the whole attempt log, the job's fate and its panel text."""
    job = final_state(policy, result)
    message = result.device_message
    if job != "sent" and policy.panel is not None:  # "" is a device that shows nothing
        message = policy.panel
    if job != "sent":
        run.transcript.add("*", f"job {job} after {run.attempts} attempt(s)")
    return replace(
        result,
        transcript=tuple(run.transcript.lines),
        attempt_log=tuple(log),
        job=job,
        device_message=message,
        message_id=_message_id(run.config.message),
    )


def _message_id(message: bytes) -> str | None:
    """The Message-ID header of the job's message (every try sends the same bytes)."""
    head = message.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):
        if line[:11].lower() == b"message-id:":
            return line[11:].strip().decode("ascii", "replace") or None
    return None


async def _attempt(run: _Run, mode: SecurityMode) -> DeviceResult:
    run.tls_broken = False
    tls = run.profile.tls
    ctx = client_context(tls, run.network.ca_pem) if mode != "none" else None
    typed = run.settings.server
    sni = server_hostname(tls, typed, typed if tls.sends_sni and not is_ip_literal(typed) else None)
    where = f"{run.address}:{run.port}" + (f" from {run.source}" if run.source else "")
    run.transcript.add("*", f"connect {where}" + (" (implicit TLS)" if mode == "implicit" else ""))
    sock = tcp_socket()
    try:
        if run.source:
            sock.bind((run.source, 0))
        async with asyncio.timeout(run.timeouts.connect):
            await asyncio.get_running_loop().sock_connect(sock, (run.address, run.port))
    except BaseException as exc:
        sock.close()
        if isinstance(exc, TimeoutError):
            return run.result("timeout", stage_of(State.CONNECT), "timeout")
        if isinstance(exc, ConnectionRefusedError):
            return run.result("refused", stage_of(State.CONNECT), "refused")
        if isinstance(exc, OSError):
            run.transcript.add("*", f"connect failed: {exc.strerror or exc}")
            return run.result("refused", stage_of(State.CONNECT), "refused")
        raise
    if mode != "implicit":
        reader, writer = await asyncio.open_connection(sock=sock)
    else:
        # TCP is up: from here a reset or an alert is a TLS failure, not a refusal.
        # The handshake starts at once, so a plaintext banner reaches the TLS layer.
        try:
            async with asyncio.timeout(run.timeouts.connect):
                reader, writer = await asyncio.open_connection(
                    sock=sock,
                    ssl=ctx,
                    server_hostname=sni or "",  # "": no SNI, chain check only
                    ssl_handshake_timeout=run.timeouts.connect + 1.0,
                )
        except TimeoutError:
            sock.close()
            return run.result("timeout", stage_of(State.CONNECT), "timeout")
        except (ssl.SSLError, OSError) as exc:
            sock.close()
            reason = _failure_reason(exc)
            run.transcript.add("*", f"TLS handshake failed: {reason}")
            return run.result("tls_failure", stage_of(State.CONNECT), "tls")
        if not _note_tls(run, writer):
            await _close(writer, None, tls_broken=True)
            return run.result("tls_failure", stage_of(State.CONNECT), "tls")
    result: DeviceResult | None = None
    try:
        result = await _session(run, mode, reader, writer, ctx, sni)
    finally:
        await _close(writer, result, tls_broken=run.tls_broken)
    return result


def tcp_socket() -> socket.socket:
    """A non-blocking TCP socket for one session.

    IPPROTO_TCP is named, not left 0: asyncio turns Nagle off (TCP_NODELAY) only on
    sockets whose protocol number says TCP, and with Nagle on the device's pipelined
    commands could wait a delayed ACK behind its own earlier line.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setblocking(False)
    return sock


async def _close(
    writer: asyncio.StreamWriter, result: DeviceResult | None, *, tls_broken: bool
) -> None:
    """Close the connection; the socket is gone when send_scan returns.

    It aborts instead of closing when closing could hang: after a failed TLS
    upgrade the stream never learns that the socket closed (wait_closed()
    would not return), after a timeout with a stalled send buffer close()
    would wait to flush it for as long as the server does not read, and when
    the session was cancelled.
    """
    transport = writer.transport
    outcome = result.outcome if result is not None else None
    if (
        tls_broken
        or outcome is None
        or outcome == "tls_failure"
        or (outcome == "timeout" and transport.get_write_buffer_size() > 0)
    ):
        transport.abort()
        await asyncio.sleep(0)  # let the transport drop its socket now
        return
    writer.close()
    try:
        async with asyncio.timeout(2.0):
            await writer.wait_closed()
    except (TimeoutError, OSError):  # a reset while closing changes nothing for the outcome
        transport.abort()


def _note_tls(run: _Run, writer: asyncio.StreamWriter) -> bool:
    """Record the negotiated version and suite; False when the device rejects the certificate's
    dates by its own clock (the handshake's chain check leaves dates to the device)."""
    obj = writer.get_extra_info("ssl_object")
    if not isinstance(obj, ssl.SSLObject):
        return True
    problem = certificate_date_problem(
        run.profile.tls, obj.getpeercert(binary_form=True), run.transcript.clock.now()
    )
    if problem is not None:
        run.transcript.add("*", f"TLS handshake failed: {problem}")
        return False
    cipher = obj.cipher()
    run.tls_version = version_name(obj.version())
    run.cipher = cipher[0] if cipher else None
    run.transcript.add("*", f"TLS established: {run.tls_version} {run.cipher}")
    return True


def _greeting_name(run: _Run, writer: asyncio.StreamWriter) -> str:
    local = writer.get_extra_info("sockname")
    ip = str(local[0]) if local else (run.source or "127.0.0.1")
    name = run.profile.greeting.name
    if name == "bare-ip":
        return ip
    if name == "address-literal":
        return f"[{ip}]"
    return run.profile.greeting.hostname


async def _session(
    run: _Run,
    mode: SecurityMode,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    ctx: ssl.SSLContext | None,
    sni: str | None,
) -> DeviceResult:
    config = replace(
        run.config,
        security=mode,
        tls_active=mode == "implicit",
        greeting_name=_greeting_name(run, writer),
    )
    client = SmtpClient(config, run.quirks)
    pending: deque[Event] = deque()
    banner, data_limit, reply = run.timeouts.banner, run.timeouts.data, run.timeouts.reply
    while True:
        while pending:
            event = pending.popleft()
            if isinstance(event, Received):
                run.transcript.add_lines("S", event.reply.wire_lines)
            elif isinstance(event, Send):
                run.transcript.add_lines("C", event.lines)
                writer.write(event.data)
                # a reset or a stall shows up in the read below
                with contextlib.suppress(TimeoutError, OSError):
                    async with asyncio.timeout(run.timeouts.data):
                        await writer.drain()
            elif isinstance(event, StartTls):
                assert ctx is not None
                try:
                    await writer.start_tls(
                        ctx, server_hostname=sni, ssl_handshake_timeout=run.timeouts.connect
                    )
                except (ssl.SSLError, OSError, TimeoutError) as exc:
                    run.tls_broken = True
                    reason = _failure_reason(exc)
                    run.transcript.add("*", f"TLS handshake failed: {reason}")
                    return run.result("tls_failure", client.stage, "tls")
                if not _note_tls(run, writer):
                    run.tls_broken = True
                    return run.result("tls_failure", client.stage, "tls")
                pending.extend(client.tls_started())
            elif isinstance(event, Close):
                writer.close()
            elif isinstance(event, Finished):
                r = event.result
                return run.result(r.outcome, r.stage, r.panel or "rejected", r)
        stage = client.stage
        awaiting = client.awaiting
        limit = (
            banner if awaiting is State.CONNECT else data_limit if awaiting is State.EOD else reply
        )
        try:
            async with asyncio.timeout(limit):
                data = await reader.read(READ_CHUNK)
        except TimeoutError:
            return run.result("timeout", stage, "timeout")
        except ssl.SSLError as exc:
            run.transcript.add("*", f"TLS error: {exc.reason or exc}")
            return run.result("tls_failure", stage, "tls")
        except OSError as exc:
            run.transcript.add("*", f"connection error: {exc.strerror or exc}")
            data = b""
        try:
            pending.extend(client.receive_data(data) if data else client.connection_closed())
        except RemoteProtocolError as exc:
            run.transcript.add("S", data.decode("utf-8", "replace").rstrip("\r\n")[:200])
            run.transcript.add("*", f"protocol error: {exc}")
            return run.result("gave_up", stage, "protocol")


def _failure_reason(exc: BaseException) -> str:
    """What a panel log shows: the certificate check's own words ("IP address mismatch",
    "unable to get local issuer certificate") before OpenSSL's generic reason."""
    return (
        getattr(exc, "verify_message", None)
        or getattr(exc, "reason", None)
        or str(exc)
        or type(exc).__name__
    )
