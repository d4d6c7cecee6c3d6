"""What the bot sends again and again, unchanged: its payload built once.

discord.py turns an embed and the allowed mentions into dictionaries for every message it
sends (``to_dict``); for an answer rendered once and kept (``bot.rendered``), and for the
client's allowed mentions, the same dictionary would be built every time. These build it once.
Neither may be changed once sent: the payload would not follow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from discord.types.embed import Embed as EmbedData
    from discord.types.message import AllowedMentions as MentionsData


class KeptEmbed(discord.Embed):
    """An embed rendered once and sent with every answer to the same question."""

    _payload: EmbedData

    @classmethod
    def keep(cls, embed: discord.Embed) -> KeptEmbed:
        payload = embed.to_dict()
        kept = cls.from_dict(payload)
        kept._payload = payload
        return kept

    def to_dict(self) -> EmbedData:
        return self._payload


class KeptMentions(discord.AllowedMentions):
    """The client's allowed mentions, sent with every message (``KeptMentions.none()``)."""

    _payload: MentionsData | None = None

    def to_dict(self) -> MentionsData:
        if self._payload is None:
            self._payload = super().to_dict()
        return self._payload
