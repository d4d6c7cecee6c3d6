"""Render a card as a Discord embed."""

from __future__ import annotations

import discord

from bot.render.cards import LIMITS, Card, clip


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
    for item in card.fields[: LIMITS["fields"]]:
        embed.add_field(
            name=clip(item.name, LIMITS["field_name"]),
            value=clip(item.value, LIMITS["field_value"]) or "—",
            inline=item.inline,
        )
    if card.footer:
        embed.set_footer(text=clip(card.footer, 2048))
    return embed
