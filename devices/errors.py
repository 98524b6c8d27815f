"""The devices package's exception tree.

Configuration problems (a bad profile file, a bad setting, a bad job spec, a
bad endpoints.json) raise ``ConfigError`` subclasses whose message names the
file, the field and what was expected. Wire violations seen by the firmware
client are ``RemoteProtocolError``; misuse of the state machine by its driver
is ``LocalProtocolError`` (h11's split). Session outcomes (rejected, timeout,
refused ...) are never raised: they are values in ``DeviceResult``.
"""

from __future__ import annotations


class DevicesError(Exception):
    """Base of every error raised by devices/."""


class ConfigError(DevicesError, ValueError):
    """Bad input data: names the file (or source), the field and the expectation."""

    def __init__(self, source: str, field: str, expected: str) -> None:
        self.source = source
        self.field = field
        self.expected = expected
        super().__init__(f"{source}: {field}: {expected}")


class ProfileError(ConfigError):
    """A firmware profile or a device setting is invalid."""


class JobError(ConfigError):
    """A scan job (or its --job SPEC string) is invalid."""


class NetworkError(ConfigError):
    """The lab network description (endpoints.json or flags) is invalid."""


class ProtocolError(DevicesError):
    """Base of the state machine's protocol errors."""


class RemoteProtocolError(ProtocolError):
    """The server sent something that is not SMTP (a bad reply line)."""


class LocalProtocolError(ProtocolError):
    """The driver used the state machine in a way its current state does not allow."""
