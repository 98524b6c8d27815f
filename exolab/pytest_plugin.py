"""A pytest plugin that gives other tools' tests a running exolab on ephemeral ports.

Enable it in a test module or conftest.py::

    pytest_plugins = ["exolab.pytest_plugin"]

    async def test_my_mailer(exolab_lab):
        host, port = exolab_lab.address("smtp.office365.com", 587)
        ...

    @pytest.mark.exolab_tenant("TransportConfig.AllowLegacyTLSClients=true", as_of="2027-01-15")
    async def test_with_changes(exolab_lab): ...

    async def test_factory(exolab_lab_factory):
        lab = await exolab_lab_factory("SecurityDefaults.IsEnabled=true")

    async def test_what_arrived(exolab_lab):
        ...  # send with smtplib, trusting exolab_lab.ca_pem
        [message] = exolab_lab.messages("alice@contoso.com")
        assert message.subject == "スキャン"          # RFC 2047 / ISO-2022-JP decoded
        [session] = await exolab_lab.sessions(at_least=1)
        signin = await exolab_lab.approve_device_code(user_code, "scanner@contoso.com")
        assert signin.ok, signin.message

Each lab gets its own temporary data directory (``tmp_path``) and ephemeral
ports on 127.10.0.x, so tests can run in parallel processes.

The lab date is the marker's ``as_of``, else ``$EXOLAB_AS_OF``, else
2026-06-01T09:00Z; a lab's clock stands still at it, never the wall clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from exolab.emulator.clock import FixedClock, lab_date_from_env, parse_lab_date
from exolab.emulator.lab import PortPlan
from exolab.emulator.store import SessionRecord
from exolab.emulator.store.model import StoredMessage
from exolab.emulator.store.views import decoded_subject, subject_of
from exolab.emulator.tenant import Tenant, load_default_tenant, parse_assignment
from exolab.emulator.tenant.loader import as_utc
from exolab.labclient import LabClient, TokenService

DEVICE_LOGIN_PATH = "/common/oauth2/deviceauth"
"""Where a person enters a device code (microsoft.com/devicelogin leads here)."""
SESSION_POLL = 0.01
"""Sessions are written when their connection closes; the store offers no event to await."""

DEFAULT_AS_OF = datetime.fromisoformat("2026-06-01T09:00:00+00:00")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "exolab_tenant(*set, as_of=None): tenant --set overrides and lab date for exolab_lab",
    )


@dataclass(frozen=True)
class LabMessage:
    """One stored copy of a message, with its Subject decoded."""

    stored: StoredMessage
    subject: str
    """Decoded (``スキャン``), where the wire had ``=?ISO-2022-JP?B?...?=``."""
    subject_raw: str
    """As sent, the same text ``exolab messages`` and the API show."""

    @classmethod
    def of(cls, stored: StoredMessage) -> LabMessage:
        raw = subject_of(stored)
        return cls(stored, decoded_subject(raw), raw)

    @property
    def id(self) -> int:
        return self.stored.id

    @property
    def mailbox(self) -> str:
        return self.stored.mailbox

    @property
    def folder(self) -> str:
        return self.stored.folder

    @property
    def envelope_from(self) -> str:
        return self.stored.envelope_from

    @property
    def envelope_to(self) -> tuple[str, ...]:
        return self.stored.envelope_to

    @property
    def scl(self) -> int | None:
        return self.stored.scl

    @property
    def raw(self) -> bytes:
        """The message as the mailbox holds it (the service's added headers on top)."""
        return self.stored.raw

    def email(self) -> EmailMessage:
        """The message parsed with the standard library (headers decoded, parts walkable)."""
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass(frozen=True)
class SignIn:
    """The answer of the lab's sign-in page to a device-code approval."""

    ok: bool
    message: str
    error_code: str | None = None
    """``AADSTS...`` when the sign-in was refused."""


@dataclass
class RunningLab:
    """What a test needs from a running lab."""

    lab: Any
    """The ``emulator.server.Lab``."""
    data_dir: Path
    tenant: Tenant

    @property
    def endpoints_path(self) -> Path:
        return Path(self.lab.endpoints_path)

    @property
    def store(self) -> Any:
        return self.lab.context.store

    def address(self, host: str, port: int) -> tuple[str, int]:
        """(address, bound port) of a simulated host's real port."""
        entry = self.lab.context.endpoints.hosts[host]
        return str(entry["address"]), int(entry["ports"][str(port)])

    @property
    def ca_pem(self) -> Path:
        """The lab CA certificate (PEM): ``ssl.create_default_context(cafile=...)`` trusts it."""
        return Path(self.lab.context.ca.pem_path)

    @property
    def client(self) -> LabClient:
        """The one client for a running lab, the same the ``exolab`` commands use."""
        return LabClient.open(self.endpoints_path.parent)

    @property
    def token_service(self) -> TokenService:
        """Where login.microsoftonline.com listens: ``address``, ``port``, ``host``, ``url``."""
        return self.client.token_service

    def messages(self, mailbox: str | None = None, folder: str | None = None) -> list[LabMessage]:
        """Stored copies, oldest first, optionally of one mailbox and/or folder.

        A 250 after DATA means the copy is on disk, so no waiting is needed.
        """
        return [LabMessage.of(m) for m in self.store.messages(mailbox=mailbox, folder=folder)]

    async def sessions(self, at_least: int = 0, timeout: float = 10.0) -> list[SessionRecord]:
        """Recorded sessions, oldest first, once ``at_least`` have been written.

        A session is written when its connection closes, a moment after the
        client saw its last reply; this waits up to ``timeout`` seconds for
        that, then returns what there is (compare its length in the test).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            await self.store.flush()
            found: list[SessionRecord] = self.store.sessions()
            if len(found) >= at_least or loop.time() >= deadline:
                return found
            await asyncio.sleep(SESSION_POLL)

    async def approve_device_code(
        self, user_code: str, user: str, password: str | None = None
    ) -> SignIn:
        """Sign in for a device code as a person at microsoft.com/devicelogin would.

        Over real HTTPS to the lab's token service (as ``exolab signin`` does);
        the device polling the token endpoint then gets its tokens. A refused
        sign-in (unknown code, unknown user, wrong ``password``) is a value,
        not an exception.
        """
        form = {"user_code": user_code, "user": user}
        if password is not None:
            form["password"] = password
        answer = await self.client.token_service_call("POST", DEVICE_LOGIN_PATH, form)
        body = answer.body if isinstance(answer.body, dict) else {}
        ok = answer.ok and bool(body.get("ok"))
        message = str(body.get("message", f"HTTP {answer.status}"))
        code = body.get("error_code")
        return SignIn(ok, message, str(code) if code else None)


def default_lab_date() -> datetime:
    """``$EXOLAB_AS_OF`` when set, else the plugin's fixed date: never today's."""
    return lab_date_from_env(os.environ) or DEFAULT_AS_OF


def build_tenant(overrides: tuple[str, ...], as_of: str | datetime | None) -> Tenant:
    when = parse_lab_date(as_of, "as_of") if isinstance(as_of, str) else as_utc(as_of)
    return load_default_tenant([parse_assignment(o) for o in overrides], when or default_lab_date())


LabFactory = Callable[..., Awaitable[RunningLab]]


@contextlib.asynccontextmanager
async def started_labs(root: Path) -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    """``start(tenant, clock=None, services=None)`` starts one more lab; every one stops at exit.

    Each lab gets its own folder under ``root`` and ephemeral ports on its
    loopback addresses; its clock stands still at ``clock`` or the tenant's
    lab date. The plugin's fixtures and exolab's own tests start labs this way.
    """
    from exolab.emulator.server import Lab

    started: list[Any] = []

    async def start(
        tenant: Tenant, clock: FixedClock | None = None, services: Sequence[Any] | None = None
    ) -> Any:
        when = tenant.lab.as_of or default_lab_date()
        lab = await Lab.start(
            tenant=tenant,
            data_dir=root / f"lab{len(started)}",
            ports=PortPlan(ephemeral=True),
            clock=clock or FixedClock(when),
            services=services,
        )
        started.append(lab)
        return lab

    try:
        yield start
    finally:
        for lab in reversed(started):
            await lab.stop()


@pytest_asyncio.fixture
async def exolab_lab_factory(tmp_path: Path) -> AsyncIterator[LabFactory]:
    """``await factory("Key=Value", ..., as_of="2027-01-15")`` → a started ``RunningLab``."""
    async with started_labs(tmp_path) as start_lab:

        async def start(*overrides: str, as_of: str | datetime | None = None) -> RunningLab:
            tenant = build_tenant(tuple(overrides), as_of)
            lab = await start_lab(tenant)
            return RunningLab(lab, Path(lab.context.data_dir), tenant)

        yield start


@pytest_asyncio.fixture
async def exolab_lab(request: pytest.FixtureRequest, exolab_lab_factory: LabFactory) -> RunningLab:
    """A running lab with the default tenant, changed by an ``exolab_tenant`` marker if any."""
    marker = request.node.get_closest_marker("exolab_tenant")
    overrides: tuple[str, ...] = tuple(marker.args) if marker else ()
    as_of = marker.kwargs.get("as_of") if marker else None
    return await exolab_lab_factory(*overrides, as_of=as_of)
