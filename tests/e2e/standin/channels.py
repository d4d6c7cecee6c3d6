"""Messages the bot posts in a guild's channel: ``POST /channels/{channel_id}/messages``,
with embeds, components and files (multipart), as Discord takes them.

- In a channel of the world, the message is created, kept in order per channel
  (:attr:`Channels.posted`), and known to the stand-in like the answers' messages, so that its
  buttons can be clicked (``standin.click``) however long after.
- In a channel the test forbade (:meth:`Channels.forbid`), or of a guild the bot is not in:
  403 ``Missing Permissions`` (50013) / ``Missing Access`` (50001). An unknown channel: 404
  ``Unknown Channel`` (10003).
- ``enforce_nonce``: a message with the nonce of one created in the same channel less than
  :data:`NONCE_SECONDS` ago is not created again; the first is returned, as Discord does.
- The body follows Discord's message limits (``messages.body_errors``) and, through the
  middleware, its OpenAPI description; a 429 is scheduled with ``standin.fail(POST_MESSAGE,
  status=429, retry_after=…)``.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from aiohttp import web

from . import components, errors
from .interactions import Interactions
from .messages import body_errors
from .payloads import TEXT_CHANNEL, World, stored_attachments, user
from .recorder import Recorded, RecordedFile
from .rest import PREFIX, RECORD
from .snowflakes import snowflake

JSON = dict[str, Any]
ROUTE = "/channels/{channel_id}/messages"
POST_MESSAGE = "POST " + ROUTE
"""The key of a message posted in a channel, as :attr:`Recorded.key` names it."""
NONCE_SECONDS = 300.0
"""How long Discord remembers an enforced nonce ("the past few minutes")."""
MISSING_PERMISSIONS, MISSING_ACCESS, UNKNOWN_CHANNEL = 50013, 50001, 10003


def channel_message(
    world: World, *, channel_id: int, guild_id: int, body: JSON, files: list[RecordedFile]
) -> JSON:
    """The message Discord creates from a body posted in a guild's text channel."""
    attachments = stored_attachments(body)
    for attachment, file in zip(attachments, files, strict=False):
        attachment["size"] = len(file.data)
        attachment["content_type"] = file.content_type
    message: JSON = {
        "id": str(snowflake()),
        "type": 0,
        "channel_id": str(channel_id),
        "guild_id": str(guild_id),
        "author": user(world.bot_user_id, "Gridbot", bot=True),
        "content": body.get("content") or "",
        "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds"),
        "edited_timestamp": None,
        "tts": bool(body.get("tts", False)),
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": attachments,
        "embeds": body.get("embeds") or [],
        "components": components.numbered(body.get("components")),
        "pinned": False,
        "flags": int(body.get("flags") or 0),
    }
    if body.get("nonce") is not None:
        message["nonce"] = body["nonce"]
    return message


class Channels:
    """The guild channels' messages; see the module."""

    def __init__(self, world: World, interactions: Interactions, joined: set[int]) -> None:
        self.world = world
        self.interactions = interactions
        self.joined = joined
        self.posted: dict[int, list[JSON]] = {}
        """Every message created in each channel, in order."""
        self.forbidden: set[int] = set()
        self._nonces: dict[tuple[int, str], tuple[float, JSON]] = {}

    def routes(self) -> list[web.RouteDef]:
        return [web.post(PREFIX + ROUTE, self.create_message)]

    def forbid(self, channel_id: int, forbidden: bool = True) -> None:
        """The bot may not post in ``channel_id`` (or, ``forbidden=False``, may again)."""
        if forbidden:
            self.forbidden.add(channel_id)
        else:
            self.forbidden.discard(channel_id)

    def guild_of(self, channel_id: int) -> int | None:
        """The guild whose text channel ``channel_id`` is, if any."""
        world = self.world
        return next((g for g in world.guild_ids if world.channel_for(g) == channel_id), None)

    def channel(self, channel_id: int) -> JSON:
        """The channel as ``data.resolved.channels`` carries it in an interaction."""
        guild_id = self.guild_of(channel_id)
        if guild_id is None:
            raise LookupError(f"channel {channel_id} is not in the stand-in's world")
        return {
            "id": str(channel_id),
            "type": TEXT_CHANNEL,
            "name": "paddock" if guild_id == self.world.guild_id else "pit-lane",
            "guild_id": str(guild_id),
            "parent_id": None,
            "nsfw": False,
            "position": 0,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
            "permissions": str((1 << 51) - 1),
        }

    async def create_message(self, request: web.Request) -> web.Response:
        record: Recorded = request[RECORD]
        raw = request.match_info["channel_id"]
        guild_id = self.guild_of(int(raw)) if raw.isdigit() else None
        if guild_id is None:
            return errors.error(404, "Unknown Channel", UNKNOWN_CHANNEL)
        channel_id = int(raw)
        if guild_id not in self.joined:
            return errors.error(403, "Missing Access", MISSING_ACCESS)
        if channel_id in self.forbidden:
            return errors.error(403, "Missing Permissions", MISSING_PERMISSIONS)
        body: JSON = record.json if isinstance(record.json, dict) else {}
        if problem := body_errors(body, file_count=len(record.files)):
            code, found = problem
            if code == 50006:
                return errors.error(400, "Cannot send an empty message", 50006)
            return errors.invalid_form_body(found)
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            seen = self._nonces.get((channel_id, str(nonce)))
            if seen is not None and time.monotonic() - seen[0] < NONCE_SECONDS:
                record.message_id = seen[1]["id"]
                return errors.discord_json(seen[1])
        message = channel_message(
            self.world, channel_id=channel_id, guild_id=guild_id, body=body, files=record.files
        )
        if nonce is not None:
            self._nonces[(channel_id, str(nonce))] = (time.monotonic(), message)
        self.posted.setdefault(channel_id, []).append(message)
        self.interactions.messages[message["id"]] = message
        record.message_id = message["id"]
        return errors.discord_json(message)
