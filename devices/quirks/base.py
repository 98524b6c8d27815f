"""What a quirk is: a small named piece that bends the firmware's behaviour.

Every hook has a no-op default, so a profile without quirks runs the very same
code path through ``NoQuirk`` (no "disabled" branch anywhere). A quirk declares
its own parameters as a frozen pydantic model (toxiproxy style: the quirk is
configured as data in the profile). A hook returns a decision and the client
carries it out through its transition table (``devices.client.states``): a
quirk never sets a state, so an odd firmware still makes only legal moves.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

SecurityMode = Literal["none", "starttls", "opportunistic_starttls", "implicit"]


class QuirkParams(BaseModel):
    """Parameters of a quirk; subclasses add fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Quirk:
    """The no-op behaviour for every hook; concrete quirks override one or two."""

    name: ClassVar[str] = "none"
    summary: ClassVar[str] = "No quirk: the firmware behaves as the profile fields say."
    Params: ClassVar[type[QuirkParams]] = QuirkParams

    def __init__(self, params: QuirkParams | None = None) -> None:
        self.params = params if params is not None else self.Params()

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Quirk:
        return cls(cls.Params.model_validate(data))

    # Before connecting -------------------------------------------------------
    def security_mode(self, mode: SecurityMode) -> SecurityMode:
        """The mode the firmware really uses for the admin's security setting."""
        return mode

    def password(self, password: str) -> str:
        """The password as the firmware stores and sends it."""
        return password

    def envelope_sender(self, sender: str) -> str:
        """The MAIL FROM address."""
        return sender

    def header_from(self, sender: str) -> str:
        """The From header address."""
        return sender

    # During the session -----------------------------------------------------
    def starttls_before_greeting(self, proposed: bool) -> bool:
        """Whether to send STARTTLS right after the banner, before any EHLO/HELO."""
        return proposed

    def greeting_prefix(self, prefix: bytes) -> bytes:
        """Bytes that reach the server in front of the first EHLO/HELO (a proxy's header)."""
        return prefix

    def uses_smtp_auth(self, proposed: bool) -> bool:
        """Whether the firmware signs in with SMTP AUTH at all when it holds credentials."""
        return proposed

    def auth_before_starttls(self, proposed: bool) -> bool:
        """Whether to send AUTH before STARTTLS (on the plaintext channel)."""
        return proposed

    def accept_login_prompt(self, step: int, prompt: str, accept: bool) -> bool:
        """Whether the decoded 334 prompt of AUTH LOGIN step 0 (user) / 1 (pass) is acceptable."""
        return accept

    # After a failed attempt -------------------------------------------------
    def fallback_to_plaintext(self, proposed: bool) -> bool:
        """Whether to reconnect without TLS after a failed TLS handshake."""
        return proposed


class NoQuirk(Quirk):
    """The registered no-op quirk."""


class QuirkChain:
    """The profile's quirks in order; each hook folds through all of them."""

    def __init__(self, quirks: list[Quirk]) -> None:
        self.quirks: tuple[Quirk, ...] = tuple(quirks) if quirks else (NoQuirk(),)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(q.name for q in self.quirks)

    def security_mode(self, mode: SecurityMode) -> SecurityMode:
        for q in self.quirks:
            mode = q.security_mode(mode)
        return mode

    def password(self, password: str) -> str:
        for q in self.quirks:
            password = q.password(password)
        return password

    def envelope_sender(self, sender: str) -> str:
        for q in self.quirks:
            sender = q.envelope_sender(sender)
        return sender

    def header_from(self, sender: str) -> str:
        for q in self.quirks:
            sender = q.header_from(sender)
        return sender

    def starttls_before_greeting(self, proposed: bool) -> bool:
        for q in self.quirks:
            proposed = q.starttls_before_greeting(proposed)
        return proposed

    def greeting_prefix(self, prefix: bytes) -> bytes:
        for q in self.quirks:
            prefix = q.greeting_prefix(prefix)
        return prefix

    def uses_smtp_auth(self, proposed: bool) -> bool:
        for q in self.quirks:
            proposed = q.uses_smtp_auth(proposed)
        return proposed

    def auth_before_starttls(self, proposed: bool) -> bool:
        for q in self.quirks:
            proposed = q.auth_before_starttls(proposed)
        return proposed

    def accept_login_prompt(self, step: int, prompt: str, accept: bool) -> bool:
        for q in self.quirks:
            accept = q.accept_login_prompt(step, prompt, accept)
        return accept

    def fallback_to_plaintext(self, proposed: bool) -> bool:
        for q in self.quirks:
            proposed = q.fallback_to_plaintext(proposed)
        return proposed
