"""The lab's REST API and a small web page: lab control, mailboxes, the session log."""

from exolab.emulator.api.service import ApiService

__all__ = ["ApiService"]
