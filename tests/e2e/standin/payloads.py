"""The fake world the stand-in serves (application, bot, two guilds, channels, people) as payloads.

Shapes follow Discord API v10 as discord.py parses them.
"""

from __future__ import annotations

import base64
import datetime
import functools
import time
from dataclasses import dataclass, field
from typing import Any

from . import components
from .snowflakes import DISCORD_EPOCH_MS, interaction_token, snowflake

JSON = dict[str, Any]

# Every permission a server owner would have, as Discord serialises it: a decimal string.
ALL_PERMISSIONS = str((1 << 51) - 1)
MANAGE_GUILD = 1 << 5
"""The Manage Server permission bit."""
# What a plain member usually has: view, send, embed links, attach, read history, use app commands.
MEMBER_PERMISSIONS = str((1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 31))
PLAIN_MEMBER_PERMISSIONS = MEMBER_PERMISSIONS
"""A member without Manage Server: the default invoker's permissions."""
MANAGER_PERMISSIONS = str(int(MEMBER_PERMISSIONS) | MANAGE_GUILD)
"""A member with Manage Server on top of the plain member's permissions."""
# What an app may do in its own DM (Discord: attach files, embed links, mention everyone and use
# external emojis there, besides viewing, sending and reading the history).
DM_APP_PERMISSIONS = str(
    (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 17) | (1 << 18)
)
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
GUILD_INSTALL, USER_INSTALL = "0", "1"
"""Keys of ``authorizing_integration_owners``."""
GUILD_CONTEXT, BOT_DM_CONTEXT, PRIVATE_CHANNEL_CONTEXT = 0, 1, 2
"""Values of an interaction's ``context``."""
TEXT_CHANNEL, DM_CHANNEL = 0, 1


def _iso(ts: datetime.datetime) -> str:
    return ts.isoformat(timespec="microseconds")


def now_iso() -> str:
    return _iso(datetime.datetime.now(datetime.UTC))


@dataclass(frozen=True)
class World:
    """Ids and the token of one fake Discord: an application with a bot in two guilds.

    ``guild_id`` (with ``channel_id``) is the first guild, the default everywhere;
    ``other_guild_id`` (with ``other_channel_id``) the second. ``owner_id`` owns the
    application (so discord.py's ``is_owner`` is true for them); ``user_id`` is the default
    invoker, a plain member. ``more_guilds`` are further guilds (:meth:`sharded`), each with
    one text channel whose id is the guild's plus one.
    """

    application_id: int = field(default_factory=snowflake)
    guild_id: int = field(default_factory=snowflake)
    channel_id: int = field(default_factory=snowflake)
    owner_id: int = field(default_factory=snowflake)
    user_id: int = field(default_factory=snowflake)
    joined_at: str = field(default_factory=now_iso)
    other_guild_id: int = field(default_factory=snowflake)
    other_channel_id: int = field(default_factory=snowflake)
    dm_channel_id: int = field(default_factory=snowflake)
    """The DM channel between the bot and any user (one id will do for the tests)."""
    more_guilds: tuple[int, ...] = ()
    """Guilds beyond the first two (see :meth:`sharded`)."""

    @classmethod
    def sharded(cls, shards: int, guilds: int = 2) -> World:
        """A world of ``guilds`` guilds (at least 2) spread over ``shards`` shards: guild ``k``
        is on shard ``k % shards`` by Discord's formula, ``(guild_id >> 22) % shards``; so
        ``guild_id`` is on shard 0 and ``other_guild_id`` on shard 1 (when there are two).

        Their ids are snowflakes from a few hours ago, one millisecond apart (the shard is
        the timestamp modulo ``shards``), so no id made now can equal one of them."""
        now = int(time.time() * 1000) - DISCORD_EPOCH_MS
        first = now - 4 * 3600 * 1000 - guilds
        first -= first % shards
        ids = [(first + k) << 22 for k in range(max(2, guilds))]
        return cls(
            guild_id=ids[0],
            channel_id=ids[0] + 1,
            other_guild_id=ids[1],
            other_channel_id=ids[1] + 1,
            more_guilds=tuple(ids[2:]),
        )

    @property
    def bot_user_id(self) -> int:
        return self.application_id

    @property
    def guild_ids(self) -> tuple[int, ...]:
        return (self.guild_id, self.other_guild_id, *self.more_guilds)

    @functools.cached_property
    def guild_set(self) -> frozenset[int]:
        """:attr:`guild_ids` as a set, to ask whether a guild is in the world."""
        return frozenset(self.guild_ids)

    def channel_for(self, guild_id: int) -> int:
        """The text channel of ``guild_id``."""
        if guild_id == self.guild_id:
            return self.channel_id
        if guild_id == self.other_guild_id:
            return self.other_channel_id
        if guild_id in self.guild_set:
            return guild_id + 1
        raise LookupError(f"guild {guild_id} is not in the stand-in's world")

    def guild_name(self, guild_id: int) -> str:
        if guild_id == self.guild_id:
            return "Gridbot Test Paddock"
        if guild_id == self.other_guild_id:
            return "Gridbot Second Paddock"
        return f"Gridbot Paddock {guild_id >> 22}"

    def username(self, user_id: int) -> str:
        if user_id == self.owner_id:
            return "owner"
        if user_id == self.user_id:
            return "marshal"
        return f"driver{user_id % 10000:04d}"

    @property
    def token(self) -> str:
        """A token laid out like a real one (base64 user id, timestamp, HMAC); fake throughout."""
        head = base64.b64encode(str(self.bot_user_id).encode()).decode().rstrip("=")
        return f"{head}.Zk9rRQ.e2e-standin-not-a-real-token-{self.application_id % 10**8:08d}"


def user(user_id: int, username: str, *, bot: bool = False) -> JSON:
    return {
        "id": str(user_id),
        "username": username,
        "global_name": None if bot else username.title(),
        "discriminator": "0",
        "avatar": None,
        "avatar_decoration_data": None,
        "banner": None,
        "accent_color": None,
        "public_flags": 0,
        "bot": bot,
        "system": False,
    }


def bot_user(world: World) -> JSON:
    """``GET /users/@me`` for a bot: the user plus the private fields."""
    return {
        **user(world.bot_user_id, "Gridbot", bot=True),
        "flags": 0,
        "mfa_enabled": False,
        "locale": "en-US",
        "premium_type": 0,
        "verified": True,
        "email": None,
        "bio": "",
    }


def application(world: World) -> JSON:
    """``GET /oauth2/applications/@me``."""
    return {
        "id": str(world.application_id),
        "name": "Gridbot",
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "hook": True,
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "f" * 64,
        "flags": 1 << 23,
        "owner": user(world.owner_id, "owner"),
        "team": None,
        "bot": user(world.bot_user_id, "Gridbot", bot=True),
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "tags": [],
        "install_params": None,
        "integration_types_config": {"0": {}, "1": {}},
        "approximate_guild_count": len(world.guild_ids),
        "rpc_origins": [],
    }


def text_channel(world: World, guild_id: int | None = None) -> JSON:
    """The text channel of ``guild_id`` (default: the first guild's)."""
    guild_id = world.guild_id if guild_id is None else guild_id
    return {
        "id": str(world.channel_for(guild_id)),
        "type": TEXT_CHANNEL,
        "guild_id": str(guild_id),
        "name": "paddock" if guild_id == world.guild_id else "pit-lane",
        "position": 0,
        "flags": 0,
        "parent_id": None,
        "topic": None,
        "nsfw": False,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "permission_overwrites": [],
    }


def dm_channel(world: World, recipient: JSON) -> JSON:
    """The bot's DM channel with ``recipient``, as an interaction's ``channel`` carries it."""
    return {
        "id": str(world.dm_channel_id),
        "type": DM_CHANNEL,
        "last_message_id": None,
        "flags": 0,
        "recipients": [recipient],
    }


def member(
    world: World,
    user_payload: JSON,
    *,
    permissions: str | None = None,
    joined_at: str | None = None,
) -> JSON:
    payload: JSON = {
        "user": user_payload,
        "roles": [],
        "nick": None,
        "avatar": None,
        "banner": None,
        "joined_at": joined_at or world.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "communication_disabled_until": None,
    }
    if permissions is not None:
        payload["permissions"] = permissions
    return payload


def everyone_role(world: World, guild_id: int | None = None) -> JSON:
    return {
        "id": str(world.guild_id if guild_id is None else guild_id),
        "name": "@everyone",
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": 0,
        "permissions": MEMBER_PERMISSIONS,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def guild_create(
    world: World, guild_id: int | None = None, *, joined_at: str | None = None, join: bool = False
) -> JSON:
    """The ``GUILD_CREATE`` for ``guild_id`` (default: the first guild).

    Sent after ``READY`` for every guild it listed as unavailable (with ``unavailable: false``)
    and, with ``join=True``, when the bot is added to a guild: then without ``unavailable``,
    which is how discord.py tells a join (``on_guild_join``) from a guild coming back.
    """
    guild_id = world.guild_id if guild_id is None else guild_id
    joined_at = joined_at or world.joined_at
    payload: JSON = {
        "id": str(guild_id),
        "name": world.guild_name(guild_id),
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(world.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "preferred_locale": "en-US",
        "features": [],
        "system_channel_id": str(world.channel_for(guild_id)),
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "max_members": 500000,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "application_id": None,
        "roles": [everyone_role(world, guild_id)],
        "emojis": [],
        "stickers": [],
        "joined_at": joined_at,
        "large": False,
        "unavailable": False,
        "lazy": True,
        "member_count": 3,
        "members": [
            member(world, user(world.bot_user_id, "Gridbot", bot=True), joined_at=joined_at)
        ],
        "channels": [text_channel(world, guild_id)],
        "threads": [],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "embedded_activities": [],
    }
    if join:
        del payload["unavailable"]
    return payload


def guild_delete(guild_id: int) -> JSON:
    """The ``GUILD_DELETE`` for a guild the bot was removed from (no ``unavailable``: not an
    outage)."""
    return {"id": str(guild_id)}


def ready(
    world: World,
    session: str,
    resume_gateway_url: str,
    guild_ids: tuple[int, ...] | list[int] | None = None,
) -> JSON:
    """The ``READY`` dispatch: guilds come later as ``GUILD_CREATE``, so they start unavailable.

    ``guild_ids`` are the guilds the bot is in (default: both of the world's).
    """
    guilds = world.guild_ids if guild_ids is None else guild_ids
    return {
        "v": 10,
        "user": bot_user(world),
        "user_settings": {},
        "guilds": [{"id": str(g), "unavailable": True} for g in guilds],
        "guild_join_requests": [],
        "relationships": [],
        "private_channels": [],
        "presences": [],
        "session_id": session,
        "session_type": "normal",
        "resume_gateway_url": resume_gateway_url,
        "application": {"id": str(world.application_id), "flags": 1 << 23},
        "auth": {},
        "geo_ordered_rtc_regions": ["rotterdam", "madrid", "milan"],
        "_trace": ['["gateway-prd-standin",{"micros":1000}]'],
    }


def option(name: str, value: Any, kind: int, *, focused: bool = False) -> JSON:
    """One interaction option as Discord types it: 3 string, 4 integer, 5 boolean, 10 number,
    11 attachment (the value is the attachment's id, resolved in ``data.resolved``)."""
    payload: JSON = {"name": name, "type": kind, "value": value}
    if focused:
        payload["focused"] = True
    return payload


def interaction(
    world: World,
    *,
    kind: int,
    command: JSON,
    options: list[JSON],
    locale: str = "en-GB",
    permissions: str = MEMBER_PERMISSIONS,
    guild_id: int | None = None,
    user_id: int | None = None,
    dm: bool = False,
    resolved: JSON | None = None,
) -> JSON:
    """An ``INTERACTION_CREATE`` for ``command`` (as registered).

    ``kind`` is 2 for an application command, 4 for autocomplete. By default it is used in the
    first guild's channel by ``world.user_id`` with ``permissions``; ``guild_id`` picks the
    guild, ``user_id`` the invoker. ``dm=True`` makes it what Discord sends from the bot's DM:
    no guild, no member but a top-level ``user``, a type 1 channel, ``context`` 1, and
    ``authorizing_integration_owners`` ``{"0": "0"}`` (a guild install used outside any guild).
    ``resolved`` is ``data.resolved`` (e.g. ``{"attachments": {id: attachment}}``).
    """
    data: JSON = {
        "id": command["id"],
        "name": command["name"],
        "type": command.get("type", 1),
        "options": options,
    }
    if command.get("guild_id") is not None:
        data["guild_id"] = command["guild_id"]
    if resolved:
        data["resolved"] = resolved
    return _interaction(
        world,
        kind=kind,
        data=data,
        locale=locale,
        permissions=permissions,
        guild_id=guild_id,
        user_id=user_id,
        dm=dm,
    )


COMPONENT_INTERACTION = 3
BUTTON_COMPONENT = 2


def component_interaction(
    world: World,
    *,
    message: JSON,
    custom_id: str,
    component_type: int = BUTTON_COMPONENT,
    locale: str = "en-GB",
    permissions: str = MEMBER_PERMISSIONS,
    user_id: int | None = None,
) -> JSON:
    """The ``INTERACTION_CREATE`` (type 3, ``MESSAGE_COMPONENT``) of a click on ``custom_id``.

    Discord sends it from where ``message`` is (its guild and channel, or the bot's DM when it
    has no ``guild_id``), with ``message`` whole as it last showed it: components,
    ``interaction_metadata`` and all. ``user_id`` clicked (default ``world.user_id``) with
    ``permissions`` in the guild.
    """
    guild = message.get("guild_id")
    return _interaction(
        world,
        kind=COMPONENT_INTERACTION,
        data={"custom_id": custom_id, "component_type": component_type},
        locale=locale,
        permissions=permissions,
        guild_id=None if guild is None else int(guild),
        user_id=user_id,
        dm=guild is None,
        message=message,
    )


def _interaction(
    world: World,
    *,
    kind: int,
    data: JSON,
    locale: str,
    permissions: str,
    guild_id: int | None,
    user_id: int | None,
    dm: bool,
    message: JSON | None = None,
) -> JSON:
    """An ``INTERACTION_CREATE`` of any type: ``data`` where and by whom."""
    invoker_id = world.user_id if user_id is None else user_id
    invoker = user(invoker_id, world.username(invoker_id))
    payload: JSON = {
        "id": str(snowflake()),
        "application_id": str(world.application_id),
        "type": kind,
        "data": data,
        "token": interaction_token(),
        "version": 1,
        "locale": locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if message is not None:
        payload["message"] = message
    if dm:
        payload |= {
            "channel_id": str(world.dm_channel_id),
            "channel": dm_channel(world, invoker),
            "user": invoker,
            "app_permissions": DM_APP_PERMISSIONS,
            "authorizing_integration_owners": {GUILD_INSTALL: "0"},
            "context": BOT_DM_CONTEXT,
        }
        return payload
    guild = world.guild_id if guild_id is None else guild_id
    payload |= {
        "guild_id": str(guild),
        "guild": {"id": str(guild), "locale": "en-US", "features": []},
        "channel_id": str(world.channel_for(guild)),
        "channel": text_channel(world, guild),
        "member": member(world, invoker, permissions=permissions),
        "app_permissions": ALL_PERMISSIONS,
        "guild_locale": "en-US",
        "authorizing_integration_owners": {GUILD_INSTALL: str(guild)},
        "context": GUILD_CONTEXT,
    }
    return payload


def attachment(
    attachment_id: int,
    filename: str,
    size: int,
    url: str,
    *,
    content_type: str | None,
    ephemeral: bool = True,
) -> JSON:
    """An attachment as ``data.resolved.attachments`` carries it for an attachment option."""
    payload: JSON = {
        "id": str(attachment_id),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
        "ephemeral": ephemeral,
    }
    if content_type is not None:
        payload["content_type"] = content_type
    return payload


def message(world: World, *, message_id: int, body: JSON, interaction_payload: JSON) -> JSON:
    """The message Discord creates from a response or followup body, where the interaction was.

    Its components are numbered as Discord stores them; its ``interaction_metadata`` names the
    interaction answered (for a click: the message clicked, ``interacted_message_id``).
    """
    invoker = (
        interaction_payload.get("member", {}).get("user")
        or interaction_payload.get("user")
        or user(world.user_id, "marshal")
    )
    data = interaction_payload.get("data", {})
    where: JSON = {"channel_id": interaction_payload.get("channel_id", str(world.channel_id))}
    if "guild_id" in interaction_payload:
        where["guild_id"] = interaction_payload["guild_id"]
    metadata: JSON = {
        "id": interaction_payload["id"],
        "type": interaction_payload["type"],
        "user": invoker,
        "authorizing_integration_owners": interaction_payload.get(
            "authorizing_integration_owners", {}
        ),
    }
    if interaction_payload["type"] == COMPONENT_INTERACTION:
        metadata["interacted_message_id"] = interaction_payload["message"]["id"]
    else:
        metadata |= {"name": data.get("name", ""), "command_type": data.get("type", 1)}
    return {
        "id": str(message_id),
        "type": 20,
        **where,
        "author": user(world.bot_user_id, "Gridbot", bot=True),
        "content": body.get("content") or "",
        "timestamp": _iso(datetime.datetime.now(datetime.UTC)),
        "edited_timestamp": None,
        "tts": bool(body.get("tts", False)),
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": stored_attachments(body),
        "embeds": body.get("embeds") or [],
        "components": components.numbered(body.get("components")),
        "pinned": False,
        "flags": int(body.get("flags") or 0),
        "webhook_id": str(world.application_id),
        "application_id": str(world.application_id),
        "interaction_metadata": metadata,
    }


def stored_attachments(body: JSON) -> list[JSON]:
    """The attachments of a message body as the message shows them."""
    return [
        {
            "id": str(snowflake()),
            "filename": a.get("filename", "file"),
            "size": 0,
            "url": "https://cdn.discordapp.invalid/" + a.get("filename", "file"),
            "proxy_url": "https://media.discordapp.invalid/" + a.get("filename", "file"),
        }
        for a in body.get("attachments") or []
    ]
