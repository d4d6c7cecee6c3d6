"""Discord-shaped snowflake ids and tokens."""

from __future__ import annotations

import itertools
import secrets
import time

DISCORD_EPOCH_MS = 1_420_070_400_000
_counter = itertools.count()


def snowflake() -> int:
    """A new id laid out like Discord's: milliseconds since 2015 in the top 42 bits."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (next(_counter) % (1 << 22))


def interaction_token() -> str:
    """An opaque interaction token, as long as Discord's."""
    return "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(120)


def session_id() -> str:
    return secrets.token_hex(16)
