"""The reply catalog: every line exolab sends, with its source and certainty."""

from exolab.emulator.replies.model import Certainty, Reply, Stage, Trailer
from exolab.emulator.replies.render import FrontEndNames, Renderer, rfc1123

__all__ = ["Certainty", "FrontEndNames", "Renderer", "Reply", "Stage", "Trailer", "rfc1123"]
