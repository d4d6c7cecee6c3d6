"""The fake world the stand-in serves (application, bot, guild, channel, people) as payloads.

Shapes follow Discord API v10 as discord.py parses them.
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass, field
from typing import Any

from .snowflakes import interaction_token, snowflake

JSON = dict[str, Any]

# Every permission a server owner would have, as Discord serialises it: a decimal string.
ALL_PERMISSIONS = str((1 << 51) - 1)
# What a plain member usually has: view, send, embed links, attach, read history, use app commands.
MEMBER_PERMISSIONS = str((1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 31))
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


def _iso(ts: datetime.datetime) -> str:
    return ts.isoformat(timespec="microseconds")


@dataclass(frozen=True)
class World:
    """Ids and the token of one fake Discord: an application with a bot in one guild."""

    application_id: int = field(default_factory=snowflake)
    guild_id: int = field(default_factory=snowflake)
    channel_id: int = field(default_factory=snowflake)
    owner_id: int = field(default_factory=snowflake)
    user_id: int = field(default_factory=snowflake)
    joined_at: str = field(default_factory=lambda: _iso(datetime.datetime.now(datetime.UTC)))

    @property
    def bot_user_id(self) -> int:
        return self.application_id

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
        "approximate_guild_count": 1,
        "rpc_origins": [],
    }


def text_channel(world: World) -> JSON:
    return {
        "id": str(world.channel_id),
        "type": 0,
        "guild_id": str(world.guild_id),
        "name": "paddock",
        "position": 0,
        "flags": 0,
        "parent_id": None,
        "topic": None,
        "nsfw": False,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "permission_overwrites": [],
    }


def member(world: World, user_payload: JSON, *, permissions: str | None = None) -> JSON:
    payload: JSON = {
        "user": user_payload,
        "roles": [],
        "nick": None,
        "avatar": None,
        "banner": None,
        "joined_at": world.joined_at,
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


def everyone_role(world: World) -> JSON:
    return {
        "id": str(world.guild_id),
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


def guild_create(world: World) -> JSON:
    """The ``GUILD_CREATE`` dispatch that follows ``READY`` for the test guild."""
    return {
        "id": str(world.guild_id),
        "name": "Gridbot Test Paddock",
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
        "system_channel_id": str(world.channel_id),
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "max_members": 500000,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "application_id": None,
        "roles": [everyone_role(world)],
        "emojis": [],
        "stickers": [],
        "joined_at": world.joined_at,
        "large": False,
        "unavailable": False,
        "lazy": True,
        "member_count": 3,
        "members": [member(world, user(world.bot_user_id, "Gridbot", bot=True))],
        "channels": [text_channel(world)],
        "threads": [],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "embedded_activities": [],
    }


def ready(world: World, session: str, resume_gateway_url: str) -> JSON:
    """The ``READY`` dispatch: guilds come later as ``GUILD_CREATE``, so they start unavailable."""
    return {
        "v": 10,
        "user": bot_user(world),
        "user_settings": {},
        "guilds": [{"id": str(world.guild_id), "unavailable": True}],
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
    """One interaction option as Discord types it: 3 string, 4 integer, 5 boolean, 10 number."""
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
) -> JSON:
    """An ``INTERACTION_CREATE`` for ``command`` (as registered) used in the test guild's channel.

    ``kind`` is 2 for an application command, 4 for autocomplete.
    """
    data: JSON = {
        "id": command["id"],
        "name": command["name"],
        "type": command.get("type", 1),
        "options": options,
    }
    if command.get("guild_id") is not None:
        data["guild_id"] = command["guild_id"]
    invoker = user(world.user_id, "marshal")
    return {
        "id": str(snowflake()),
        "application_id": str(world.application_id),
        "type": kind,
        "data": data,
        "guild_id": str(world.guild_id),
        "guild": {"id": str(world.guild_id), "locale": "en-US", "features": []},
        "channel_id": str(world.channel_id),
        "channel": text_channel(world),
        "member": member(world, invoker, permissions=permissions),
        "token": interaction_token(),
        "version": 1,
        "app_permissions": ALL_PERMISSIONS,
        "locale": locale,
        "guild_locale": "en-US",
        "entitlements": [],
        "entitlement_sku_ids": [],
        "authorizing_integration_owners": {"0": str(world.guild_id)},
        "context": 0,
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }


def message(world: World, *, message_id: int, body: JSON, interaction_payload: JSON) -> JSON:
    """The message Discord creates from a response or followup body."""
    invoker = interaction_payload.get("member", {}).get("user") or user(world.user_id, "marshal")
    data = interaction_payload.get("data", {})
    return {
        "id": str(message_id),
        "type": 20,
        "channel_id": str(world.channel_id),
        "guild_id": str(world.guild_id),
        "author": user(world.bot_user_id, "Gridbot", bot=True),
        "content": body.get("content") or "",
        "timestamp": _iso(datetime.datetime.now(datetime.UTC)),
        "edited_timestamp": None,
        "tts": bool(body.get("tts", False)),
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [
            {
                "id": str(snowflake()),
                "filename": a.get("filename", "file"),
                "size": 0,
                "url": "https://cdn.discordapp.invalid/" + a.get("filename", "file"),
                "proxy_url": "https://media.discordapp.invalid/" + a.get("filename", "file"),
            }
            for a in body.get("attachments") or []
        ],
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "pinned": False,
        "flags": int(body.get("flags") or 0),
        "webhook_id": str(world.application_id),
        "application_id": str(world.application_id),
        "interaction_metadata": {
            "id": interaction_payload["id"],
            "type": interaction_payload["type"],
            "name": data.get("name", ""),
            "command_type": data.get("type", 1),
            "user": invoker,
            "authorizing_integration_owners": interaction_payload.get(
                "authorizing_integration_owners", {}
            ),
        },
    }
