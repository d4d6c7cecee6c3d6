"""Assertions shared by the scenarios: what every reply must and must not contain."""

from __future__ import annotations

from .process import TRACEBACK
from .standin import CallbackResult


def pings_nobody(result: CallbackResult) -> None:
    """``allowed_mentions`` is sent and lets nothing ping: no @everyone, roles, users or reply."""
    mentions = result.allowed_mentions
    assert mentions is not None, (
        f"no allowed_mentions: Discord would parse every mention: {result.data}"
    )
    assert mentions.get("parse") == [], mentions
    assert not mentions.get("users") and not mentions.get("roles"), mentions
    assert not mentions.get("replied_user"), mentions


def no_traceback(text: str) -> None:
    assert TRACEBACK not in text, text
    assert 'File "' not in text, text


def grid_five(result: CallbackResult) -> None:
    """The seed grid's P5 answer, in full."""
    assert result.type == 4 and not result.ephemeral, result.body
    for needle in ("#14", "MG Lola EX257", "RML", "1:29.533"):
        assert needle in result.text, (needle, result.text)
    pings_nobody(result)
