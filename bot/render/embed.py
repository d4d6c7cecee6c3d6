"""Render a card as a Discord embed."""

from __future__ import annotations

import discord

from bot.core.text import clip
from bot.render.cards import LIMITS, Card


def to_embed(card: Card) -> discord.Embed:
    """The card as an embed, inside every Discord limit."""
    description = card.description
    if card.notes:
        description = "\n\n".join(
            part for part in (description, "\n".join(f"*{n}*" for n in card.notes)) if part
        )
    embed = discord.Embed(
        title=clip(card.title, LIMITS["title"]),
        description=clip(description, LIMITS["description"]) or None,
        colour=card.colour,
    )
    if card.footer:
        embed.set_footer(text=clip(card.footer, 2048))
    fields = [
        (clip(f.name, LIMITS["field_name"]), clip(f.value, LIMITS["field_value"]) or "—", f.inline)
        for f in card.fields
    ]
    room = LIMITS["total"] - len(embed)
    fits = len(fields) <= LIMITS["fields"] and sum(len(n) + len(v) for n, v, _ in fields) <= room
    if not fits:
        room -= 40  # keep space for the "more not shown" note
    shown = 0
    for name, value, inline in fields[: LIMITS["fields"] if fits else LIMITS["fields"] - 1]:
        if len(name) + len(value) > room:
            break
        room -= len(name) + len(value)
        embed.add_field(name=name, value=value, inline=inline)
        shown += 1
    if shown < len(fields):
        embed.add_field(name="…", value=f"{len(fields) - shown} more not shown", inline=False)
    return embed
