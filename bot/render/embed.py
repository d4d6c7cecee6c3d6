"""Render a card as a Discord embed: the one place every answer is fitted to Discord's limits.

Each part is clipped to its own limit, and then the whole to the 6,000 characters Discord
allows an embed (title, description, field names and values, footer text). When the whole is
too long, fields go first, last ones first, with a note of how many were left out; then the
description is cut short.
"""

from __future__ import annotations

import discord

from bot.core.text import clip
from bot.render.cards import LIMITS, Card

FOOTER = 2048
"""Discord's limit on an embed's footer text."""

_Shown = tuple[str, str, bool]


def _fit(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters (none at all when there is no room)."""
    return clip(text, limit) if limit > 0 else ""


def _description(card: Card) -> str:
    notes = "\n".join(f"*{note}*" for note in card.notes)
    return "\n\n".join(part for part in (card.description, notes) if part)


def _size(fields: list[_Shown]) -> int:
    return sum(len(name) + len(value) for name, value, _inline in fields)


def _more(count: int) -> _Shown:
    return ("…", f"{count} more not shown", False)


def _fields_within(fields: list[_Shown], room: int) -> list[_Shown]:
    """The first fields that fit in ``room`` characters and Discord's count of fields, with
    a note of how many were left out; at least the note when any were."""
    for keep in range(min(len(fields), LIMITS["fields"]), 0, -1):
        shown = fields[:keep]
        if keep < len(fields):
            shown = [*shown, _more(len(fields) - keep)]
        if len(shown) <= LIMITS["fields"] and _size(shown) <= room:
            return shown
    return [_more(len(fields))] if fields else []


def to_embed(card: Card) -> discord.Embed:
    """The card as an embed, inside every Discord limit."""
    title = _fit(card.title, LIMITS["title"])
    footer = _fit(card.footer, FOOTER)
    description = _fit(_description(card), LIMITS["description"])
    fields = [
        (
            _fit(f.name, LIMITS["field_name"]) or "—",
            _fit(f.value, LIMITS["field_value"]) or "—",
            f.inline,
        )
        for f in card.fields
    ]
    room = LIMITS["total"] - len(title) - len(footer)  # at least 6000 - 256 - 2048
    shown = _fields_within(fields, room - len(description))
    description = _fit(description, room - _size(shown))
    embed = discord.Embed(title=title or None, description=description or None, colour=card.colour)
    if footer:
        embed.set_footer(text=footer)
    for name, value, inline in shown:
        embed.add_field(name=name, value=value, inline=inline)
    return embed
