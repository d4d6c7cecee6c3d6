"""A loopback stand-in for Discord's REST API and gateway, just faithful enough for discord.py."""

from .recorder import Recorded, RecordedFile
from .server import CallbackResult, Invocation, StandIn

__all__ = ["CallbackResult", "Invocation", "Recorded", "RecordedFile", "StandIn"]
