"""The event loop the bot runs on: uvloop where it is installed, else asyncio's own.

uvloop is a dependency wherever it exists (not on Windows); ``GRIDBOT_UVLOOP=off`` turns it
off, should it ever misbehave. Nothing else in the bot depends on which loop runs it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Loop:
    """How to make the loop (``None``: asyncio's default), and what to call it in the log."""

    factory: Callable[[], asyncio.AbstractEventLoop] | None
    description: str


def choose(use_uvloop: bool) -> Loop:
    """uvloop if wanted and importable, else asyncio's loop, saying why."""
    if not use_uvloop:
        return Loop(None, "asyncio (uvloop turned off: GRIDBOT_UVLOOP=off)")
    try:
        import uvloop
    except ImportError:
        return Loop(None, "asyncio (uvloop is not installed)")
    version = getattr(uvloop, "__version__", "")  # set, though not in its type stubs
    return Loop(uvloop.new_event_loop, f"uvloop {version}".strip())


def run(main: Coroutine[Any, Any, T], loop: Loop) -> T:
    """``asyncio.run(main)`` on ``loop``."""
    with asyncio.Runner(loop_factory=loop.factory) as runner:
        return runner.run(main)
