"""The lab's REST API and a small web page: lab control, mailboxes, the session log."""

from emulator.api.service import ApiService

__all__ = ["ApiService"]
