"""The firmware profile: what a simulated device CAN do, as a frozen, validated schema.

Profiles are TOML data files in ``devices/profiles/``; ``load_profile`` reads
one by name or path and raises ``ProfileError`` (file, field, expectation) on
anything wrong. What the administrator typed into the device is a separate
object: ``devices.settings.Settings``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from exolab.devices._validation import from_validation_error
from exolab.devices.errors import ProfileError
from exolab.devices.quirks import QuirkChain, build_chain, quirk_class, quirk_names
from exolab.devices.quirks.base import SecurityMode

TlsVersion = Literal["1.0", "1.1", "1.2", "1.3"]
AuthMechanism = Literal["LOGIN", "PLAIN", "XOAUTH2"]
AttachmentFormat = Literal["pdf", "jpeg", "tiff"]
Charset = Literal["utf-8", "iso-2022-jp"]

TLS_ORDER: dict[str, int] = {"1.0": 0, "1.1": 1, "1.2": 2, "1.3": 3}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Frozen):
    """A public source a profile or quirk stands on; ``url = None`` means a guess."""

    url: str | None = Field(default=None, description="Public URL, or absent for a guess.")
    note: str = Field(default="", description="What the source says, or why it is a guess.")
    confidence: Literal["primary", "secondary", "guess"] = Field(
        default="primary", description="primary (vendor/Microsoft/real log), secondary, guess."
    )

    @model_validator(mode="after")
    def _url_or_guess(self) -> Source:
        if self.url is None and self.confidence != "guess":
            raise ValueError("a source without url must have confidence = 'guess'")
        if self.url is not None and not self.url.startswith(("https://", "http://")):
            raise ValueError("url must start with https:// or http://")
        if self.confidence == "guess" and not self.note:
            raise ValueError("a guess must say why in 'note'")
        return self


class QuirkSpec(_Frozen):
    """One named quirk with its parameters and its source."""

    name: str = Field(description="A registered quirk name (see `exolab profiles --quirks`).")
    params: dict[str, Any] = Field(default_factory=dict, description="The quirk's own parameters.")
    source: Source = Field(description="The public source, or a guess that says so.")

    @model_validator(mode="after")
    def _known_and_valid(self) -> QuirkSpec:
        try:
            cls = quirk_class(self.name)
        except KeyError:
            raise ValueError(
                f"unknown quirk {self.name!r}; expected one of {', '.join(quirk_names())}"
            ) from None
        try:
            cls.Params.model_validate(self.params)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "params"
            raise ValueError(f"params.{where}: {err['msg']}") from None
        return self


class Tls(_Frozen):
    min_version: TlsVersion = Field(default="1.2", description="Lowest TLS version offered.")
    max_version: TlsVersion = Field(default="1.3", description="Highest TLS version offered.")
    ciphers: str | None = Field(
        default=None, description="OpenSSL cipher string; default DEFAULT (SECLEVEL=0 below 1.2)."
    )
    sends_sni: bool = Field(default=True, description="Send the server name (SNI) in ClientHello.")
    verify_certificate: bool = Field(default=False, description="Check the server certificate.")
    trust: Literal["lab", "system"] = Field(
        default="lab",
        description="Trust store when verifying: the lab CA (imported on the device) or the "
        "system store only (a device that cannot import a CA).",
    )
    verify_hostname: bool = Field(
        default=True,
        description="When verifying: also match the server name against the certificate CN/SANs "
        '("Add CN" on some panels); needs sends_sni.',
    )
    clock_offset_days: int = Field(
        default=0,
        ge=-36500,
        le=36500,
        description="How far the device's clock is off (negative: behind); when verifying, "
        "certificate dates are judged by this clock.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Tls:
        if TLS_ORDER[self.min_version] > TLS_ORDER[self.max_version]:
            raise ValueError(f"min_version {self.min_version} is above max_version")
        return self


class Auth(_Frozen):
    mechanisms: tuple[AuthMechanism, ...] = Field(
        default=(), description="Mechanisms in preference order; empty: the device cannot AUTH."
    )
    choice: Literal["advertised", "first"] = Field(
        default="advertised",
        description="advertised: first of ours the server offers (none offered: send without "
        "AUTH); first: always our first mechanism, whatever EHLO said.",
    )


class Greeting(_Frozen):
    verb: Literal["EHLO", "HELO"] = Field(default="EHLO", description="EHLO or HELO.")
    name: Literal["hostname", "bare-ip", "address-literal"] = Field(
        default="hostname",
        description="hostname: the fixed `hostname`; bare-ip: the source IPv4 as is; "
        "address-literal: [a.b.c.d].",
    )
    hostname: str = Field(default="MFP-SIM", min_length=1, description="The device's own name.")


class Timeouts(_Frozen):
    dns: float = Field(
        default=5.0, gt=0, description="Wait for the DNS answer (the firmware's resolver), s."
    )
    connect: float = Field(default=30.0, gt=0, description="TCP connect (+ implicit TLS), s.")
    banner: float = Field(default=60.0, gt=0, description="Wait for the 220 banner, s.")
    reply: float = Field(default=60.0, gt=0, description="Wait for any other reply, s.")
    data: float = Field(default=300.0, gt=0, description="Wait for the reply after the body, s.")


class Attachments(_Frozen):
    formats: tuple[AttachmentFormat, ...] = Field(default=("pdf",), min_length=1)
    max_bytes: int | None = Field(default=None, gt=0, description="Largest attachment it sends.")


class Encoding(_Frozen):
    subject_charset: Charset = Field(default="utf-8", description="RFC 2047 charset of Subject.")
    filename_style: Literal["rfc2231", "rfc2047"] = Field(
        default="rfc2231", description="rfc2231: filename*=; rfc2047: encoded word in quotes."
    )
    filename_charset: Charset = Field(default="utf-8")
    body_charset: Charset = Field(default="utf-8")


class SettingRules(_Frozen):
    """How the device's settings page restricts what an admin can type."""

    ports: tuple[int, ...] | None = Field(
        default=None, description="Ports the port field accepts; absent: any 1-65535."
    )
    default_port: int = Field(default=25, ge=1, le=65535)
    default_security: Literal["none", "starttls", "implicit"] = Field(
        default="starttls", description="What the security field shows until the admin changes it."
    )
    server_max_length: int | None = Field(default=None, ge=1)
    sender_max_length: int | None = Field(default=None, ge=1)
    password_max_length: int | None = Field(default=None, ge=1)
    username_max_length: int | None = Field(default=None, ge=1)

    @field_validator("ports")
    @classmethod
    def _port_range(cls, v: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if v is not None and (not v or any(not 1 <= p <= 65535 for p in v)):
            raise ValueError("ports must be a non-empty list of 1-65535")
        return v

    @model_validator(mode="after")
    def _default_allowed(self) -> SettingRules:
        if self.ports is not None and self.default_port not in self.ports:
            raise ValueError(f"default_port {self.default_port} is not in ports {self.ports}")
        return self


class Retry(_Frozen):
    """What the firmware does when a send fails: try again, and what the operator sees at the end.

    Real MFPs resend a failed job a few times at a fixed interval (Sharp's factory
    default: two more attempts at 3-minute intervals) and then print or show an
    error; a device that resends after a silent end of data can deliver twice.
    """

    count: int = Field(default=0, ge=0, le=20, description="Extra tries after the first.")
    interval: float = Field(default=1.0, ge=0, le=86400, description="Seconds between tries.")
    on_4xx: bool = Field(default=True, description="Try again after a temporary (4xx) refusal.")
    on_5xx: bool = Field(
        default=False,
        description="Try again after a permanent (5xx) refusal too: a firmware that treats "
        "4xx and 5xx alike (RFC 5321 says a 5xx must not be retried as is).",
    )
    on_timeout: bool = Field(
        default=True, description="Try again after a timeout or a refused connection."
    )
    on_connection_lost: bool = Field(
        default=False, description="Try again when the server dropped the line before the body."
    )
    resend_after_data: bool = Field(
        default=True,
        description="After the body was sent and no reply came (timeout or dropped line), send "
        "the whole job again: the server may have stored it already (a duplicate).",
    )
    give_up: Literal["error", "drop", "queue"] = Field(
        default="error",
        description="After the last try: error (shown on the panel / error report), drop "
        "(silently discarded), queue (kept for a later resend).",
    )
    panel: str | None = Field(
        default=None, description="The panel text after the last failed try (default: the error's)."
    )


# --- OAuth: how a modern-auth firmware gets its token (read by devices/oauth/) ---
class OAuth(_Frozen):
    """How the firmware gets its XOAUTH2 token from login.microsoftonline.com.

    Lab stand-in for the device's OAuth page: the vendor app's client id (and
    secret for app-only) and the authority's tenant segment. The user and
    password of the delegated pattern come from the settings (username/password).
    """

    flow: Literal["device_code", "delegated_refresh", "client_credentials"] = Field(
        description="device_code: Canon/Epson; delegated_refresh: Sharp/Konica Minolta/Ricoh "
        "(panel sign-in, then refresh tokens); client_credentials: app-only."
    )
    client_id: str = Field(min_length=1, description="The app registration's AppId.")
    tenant: str = Field(
        default="organizations",
        description="Authority segment: tenant id, domain, organizations or common.",
    )
    scope: str | None = Field(
        default=None,
        description="Requested scope; default SMTP.Send + offline_access (delegated) or "
        "https://outlook.office365.com/.default (app-only).",
    )
    client_secret: str | None = Field(default=None, description="App-only secret.")
    refresh_margin: float = Field(default=60.0, ge=0, description="Renew this early, s.")
    expiry: Literal["expires_in", "token_claims"] = Field(
        default="expires_in",
        description="expires_in: renew when the response's expires_in runs out (the token is "
        "opaque, as Microsoft asks); token_claims: read nbf/exp from the token and judge them "
        "by the device's clock (tls.clock_offset_days), a firmware whose wrong clock breaks OAuth.",
    )

    @model_validator(mode="after")
    def _secret_for_app_only(self) -> OAuth:
        if self.flow == "client_credentials" and not self.client_secret:
            raise ValueError("client_credentials needs client_secret")
        return self


class Profile(_Frozen):
    """What a firmware can do. See docs/devices/profile-format.md."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Profile id (file stem).")
    description: str = Field(min_length=1)
    vendor_style: str = Field(description="Which vendor/family this behaves like.")
    sources: tuple[Source, ...] = Field(min_length=1, description="Public sources it stands on.")
    security_modes: tuple[SecurityMode, ...] = Field(min_length=1)
    tls: Tls = Field(default_factory=Tls)
    auth: Auth = Field(default_factory=Auth)
    greeting: Greeting = Field(default_factory=Greeting)
    line_ending: Literal["crlf", "bare-lf"] = "crlf"
    pipelining: bool = Field(default=False, description="Pipeline MAIL/RCPT/DATA if offered.")
    size_declaration: bool = Field(default=False, description="MAIL FROM ... SIZE=n if offered.")
    timeouts: Timeouts = Field(default_factory=Timeouts)
    retries: int = Field(default=0, ge=0, le=10, description="Extra tries: refused/timeout/4xx.")
    retry_delay: float = Field(default=1.0, ge=0)
    retry: Retry | None = Field(
        default=None, description="Retry behaviour in full; replaces retries and retry_delay."
    )
    attachments: Attachments = Field(default_factory=Attachments)
    encoding: Encoding = Field(default_factory=Encoding)
    headers: dict[str, str] = Field(default_factory=dict, description="Extra headers (X-Mailer).")
    settings: SettingRules = Field(default_factory=SettingRules)
    quirks: tuple[QuirkSpec, ...] = ()
    oauth: OAuth | None = Field(default=None, description="Modern auth (XOAUTH2 with a token).")

    @model_validator(mode="after")
    def _oauth_needs_xoauth2(self) -> Profile:
        if self.oauth is not None and "XOAUTH2" not in self.auth.mechanisms:
            raise ValueError("oauth is set but auth.mechanisms lacks XOAUTH2")
        return self

    @model_validator(mode="after")
    def _default_security_possible(self) -> Profile:
        wanted = {
            "none": ("none",),
            "starttls": ("starttls", "opportunistic_starttls"),
            "implicit": ("implicit",),
        }[self.settings.default_security]
        if not any(m in self.security_modes for m in wanted):
            raise ValueError(
                f"settings.default_security {self.settings.default_security!r} is not one of "
                f"the security_modes {list(self.security_modes)}"
            )
        return self

    @model_validator(mode="after")
    def _one_retry_form(self) -> Profile:
        if self.retry is not None and (self.retries != 0 or self.retry_delay != 1.0):
            raise ValueError("give retries and retry_delay inside [retry] (count, interval)")
        return self

    def retry_policy(self) -> Retry:
        """The ``[retry]`` section, or what ``retries``/``retry_delay`` alone have always meant."""
        if self.retry is not None:
            return self.retry
        return Retry(count=self.retries, interval=self.retry_delay)

    def quirk_chain(self) -> QuirkChain:
        return build_chain([(q.name, q.params) for q in self.quirks])

    def with_timeouts(self, **overrides: float) -> Profile:
        """A copy with some timeouts replaced (scenarios shrink them)."""
        data = self.timeouts.model_dump() | overrides
        return self.model_copy(update={"timeouts": Timeouts.model_validate(data)})


PROFILES_PACKAGE = "exolab.devices.profiles"


def parse_profile(data: dict[str, Any], source: str) -> Profile:
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(ProfileError, source, exc) from None


def load_profile_file(path: Path) -> Profile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(str(path), "(file)", f"a readable TOML file ({exc.strerror})") from None
    # a copy: a caller that changes a profile's dicts (headers, quirk params) changes its own
    return _parsed(str(path), text).model_copy(deep=True)


@lru_cache(maxsize=128)
def _parsed(source: str, text: str) -> Profile:
    """A profile file's text parsed and validated (~1 ms), once per process for each text:
    the scenario runner loads a profile for every scenario."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(source, "(file)", f"valid TOML: {exc}") from None
    return parse_profile(data, source)


@lru_cache(maxsize=1)
def _shipped() -> Mapping[str, Path]:
    """The profiles shipped with the package, by name (package data: it does not change)."""
    root = resources.files(PROFILES_PACKAGE)
    out: dict[str, Path] = {}
    for entry in root.iterdir():
        if entry.name.endswith(".toml"):
            out[entry.name[: -len(".toml")]] = Path(str(entry))
    return MappingProxyType(out)


def profile_names() -> list[str]:
    return sorted(_shipped())


def load_profile(name_or_path: str | Path) -> Profile:
    """A shipped profile by name, or any profile file by path."""
    shipped = _shipped()
    key = str(name_or_path)
    if isinstance(name_or_path, str) and key in shipped:
        return load_profile_file(shipped[key])
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return load_profile_file(path)
    raise ProfileError(
        key, "profile", f"a shipped profile name ({', '.join(sorted(shipped))}) or a .toml path"
    )


def list_profiles() -> list[Profile]:
    """Every shipped profile, sorted by name."""
    return [load_profile(name) for name in profile_names()]
