"""The scenario schema: one documented rule, the world it needs, and what must happen.

A scenario is data (TOML in ``scenarios/catalog/``). It names the rule it
proves and the public source, the tenant changes (the tenant's own ``--set``
keys and a lab date), the device (profile, typed settings, site, timeouts),
the job, how many times and how concurrently it is sent, and the expected
outcome on both sides of the wire. Frozen and strict: an unknown key is an
error, never silently ignored. ``scenarios.loader`` turns files into these
objects and every error into one ``ScenarioError``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from exolab.emulator.replies.catalog import all_replies
from exolab.scenarios.messages import Lang

Outcome = Literal["delivered", "rejected", "timeout", "refused", "tls_failure", "gave_up"]
Folder = Literal["Inbox", "Junk Email", "Quarantine", "Sent Items", "Outbound"]
StageName = Literal[
    "DNS", "CONNECT", "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "EOD", "QUIT", "JOB"
]
ENHANCED = r"^[245]\.\d{1,3}\.\d{1,3}$"
ID = r"^[a-z0-9][a-z0-9-]*$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LocalizedText(_Frozen):
    """A text a trainer shows, in English and (optionally) Japanese.

    In a file it is either a plain string (English only, the original format
    that users' own scenarios keep using) or one value per language, written
    as dotted keys: ``title.en = "..."`` and ``title.ja = "..."``. A missing
    Japanese text falls back to English; every shipped scenario has both (a
    test enforces it).
    """

    en: str = Field(min_length=1, description="English (required).")
    ja: str | None = Field(
        default=None, min_length=1, description="Japanese; absent: English is shown."
    )

    @model_validator(mode="before")
    @classmethod
    def _plain_string_is_english(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"en": value}
        if isinstance(value, dict | LocalizedText):
            return value
        raise ValueError(
            'a string, or one string per language (title.en = "...", title.ja = "...")'
        )

    def get(self, lang: Lang) -> str:
        """The text in ``lang``, or the English text when that language is absent."""
        return self.ja if lang == "ja" and self.ja else self.en

    def __str__(self) -> str:
        return self.en


class TenantChanges(_Frozen):
    """Changes to the embedded default tenant, in the tenant's own ``--set`` syntax."""

    set: tuple[str, ...] = Field(
        default=(),
        description='``Key=Value`` overrides, e.g. "TransportConfig.AllowLegacyTLSClients=true" '
        "or \"Dns.TXT[contoso.com]='v=spf1 ...'\".",
    )
    as_of: datetime = Field(
        default=datetime.fromisoformat("2026-06-01T09:00:00+00:00"),
        description="The lab date; the lab clock stands still at it for the whole run.",
    )

    @field_validator("as_of")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("as_of needs a time zone, e.g. 2026-06-01T09:00:00Z")
        return value


class DeviceTimeouts(_Frozen):
    """Overrides of the profile's timeouts, in seconds (a port-465 scenario waits ~1 s, not 60)."""

    connect: float | None = Field(default=None, gt=0)
    banner: float | None = Field(default=None, gt=0)
    reply: float | None = Field(default=None, gt=0)
    data: float | None = Field(default=None, gt=0)

    def as_overrides(self) -> dict[str, float]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class DeviceSettings(_Frozen):
    """What the administrator typed into the device (the seed guide's settings table)."""

    server: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Literal["none", "starttls", "implicit"] | None = None
    sender: str | None = None
    username: str | None = None
    password: str | None = None

    def as_values(self) -> dict[str, object]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class OAuthOverride(_Frozen):
    """Changes to the profile's ``[oauth]`` section: another app, secret or scope."""

    client_id: str | None = None
    client_secret: str | None = None
    scope: str | None = None
    tenant: str | None = None

    def as_values(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class Device(_Frozen):
    """The simulated firmware, its settings, and where it sits."""

    profile: str = Field(
        description="A shipped device profile name (`exolab profiles`), or a .toml path "
        "relative to the scenario file (a scenario-local profile)."
    )
    settings: DeviceSettings = Field(default_factory=DeviceSettings)
    site: str | None = Field(
        default="office",
        description="A tenant site name (its source address and public IP); none: the default.",
    )
    timeouts: DeviceTimeouts = Field(default_factory=DeviceTimeouts)
    oauth: OAuthOverride = Field(default_factory=OAuthOverride)
    approver: str | None = Field(
        default=None,
        description="Device-code flow: the user who enters the code on Microsoft's page "
        "(signs in with the tenant's password for that mailbox).",
    )


class Job(_Frozen):
    """The scan job: passed to the device simulator's job builder."""

    pages: int = Field(default=1, ge=1, le=500)
    format: Literal["pdf", "jpeg", "tiff"] = "pdf"
    size: int | None = Field(
        default=None, ge=1, description="Pad the attachment to about this many bytes."
    )
    subject: str | None = None


def _published_class_conflict(code: int, enhanced: str) -> bool:
    """Whether Microsoft publishes this code with an enhanced code of another class.

    Such pairs (``550 4.4.4``) break RFC 3463 but are what the service sends, so a
    scenario may expect them exactly when the reply catalog reproduces one as published.
    """
    return any(
        r.class_conflict and r.code == code and r.enhanced == enhanced for r in all_replies()
    )


class Expect(_Frozen):
    """What must happen. Device side first, then the server side (store and session notes)."""

    outcome: Outcome
    stage: StageName | None = None
    code: int | None = Field(default=None, ge=200, le=599)
    enhanced: str | None = Field(default=None, pattern=ENHANCED)
    text: str | None = Field(default=None, description="A fragment the reply line must contain.")
    tls_version: str | None = Field(default=None, description='e.g. "1.2", "1.0"')
    device_text: str | None = Field(
        default=None,
        description="A fragment the device's own panel message or transcript notes must "
        'contain, e.g. "AADSTS65001" (for outcomes decided on the device side).',
    )
    mailbox: str | None = Field(default=None, description="Where the message must be stored.")
    folder: Folder | None = None
    scl: int | None = Field(default=None, ge=-1, le=9)
    headers: tuple[str, ...] = Field(
        default=(), description="Fragments the stored message's added headers must contain."
    )
    notes: tuple[str, ...] = Field(
        default=(), description="Fragments the server's session notes must contain."
    )
    stored: int | None = Field(
        default=None, ge=0, description="Exactly this many messages in the store (all folders)."
    )
    counts: dict[Outcome, int] | None = Field(
        default=None,
        description="With parallel/repeat: how many attempts end in each outcome, e.g. "
        "{ delivered = 3, rejected = 1 }.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Expect:
        if (
            self.enhanced
            and self.code
            and self.enhanced[0] != str(self.code)[0]
            and not _published_class_conflict(self.code, self.enhanced)
        ):
            raise ValueError(
                f"enhanced {self.enhanced} does not match code {self.code} (allowed only "
                "for a catalog reply published that way, flagged class_conflict)"
            )
        if self.outcome == "delivered" and self.folder and not self.mailbox:
            raise ValueError("folder needs mailbox (whose folder?)")
        if self.outcome != "delivered" and (self.mailbox or self.folder):
            raise ValueError("mailbox/folder only make sense when outcome = delivered")
        return self


class Scenario(_Frozen):
    """One documented rule or failure mode, runnable offline."""

    id: str = Field(pattern=ID, description="Unique; the file stem.")
    title: LocalizedText = Field(
        description='Short name; a string (English) or title.en = "..." and title.ja = "...".'
    )
    demonstrates: LocalizedText = Field(
        description="The rule it proves, in one sentence; like title, a string or .en/.ja."
    )
    source: str = Field(description="The seed guide / Microsoft page / real log it stands on.")
    fix: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9_]+$",
        description="The explain message id (messages/*.toml [fix.ID]) an administrator applies.",
    )
    tags: tuple[str, ...] = ()
    tenant: TenantChanges = Field(default_factory=TenantChanges)
    device: Device
    job: Job = Field(default_factory=Job)
    recipients: tuple[str, ...] = Field(min_length=1)
    parallel: int = Field(default=1, ge=1, le=16, description="Concurrent connections.")
    repeat: int = Field(default=1, ge=1, le=50, description="Sends one after the other.")
    advance: float = Field(
        default=0,
        ge=0,
        description="Seconds the lab clock jumps forward between repeated sends (the device's "
        "own clock does not): an access token the device keeps using expires.",
    )
    expect: Expect

    @field_validator("source")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://", "seed:")):
            raise ValueError("a public URL (https://...) or seed:<section> for the seed guide")
        return value

    @model_validator(mode="after")
    def _fix_when_failing(self) -> Scenario:
        clean = self.expect.outcome == "delivered" and self.expect.folder not in (
            "Junk Email",
            "Quarantine",
        )
        if not clean and self.fix is None:
            raise ValueError("fix is required when the expected outcome is not a clean delivery")
        if self.parallel > 1 and self.repeat > 1:
            raise ValueError("use parallel or repeat, not both")
        return self

    @property
    def attempts(self) -> int:
        return self.parallel * self.repeat
