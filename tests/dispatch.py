"""Drive the bot through discord.py's own dispatch, in process, recording what it would send.

A real ``Interaction`` is built from a gateway ``INTERACTION_CREATE`` payload and handed to
the client's connection state, exactly as the gateway would; the command tree routes it.
The only stand-in is the webhook adapter at the HTTP edge, which records each request.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass
from typing import Any

import discord
from discord.http import Route
from discord.webhook.async_ import AsyncWebhookAdapter

APPLICATION_ID = 111_111_111_111_111_111
GUILD_ID = 222_222_222_222_222_222
CHANNEL_ID = 333_333_333_333_333_333
USER_ID = 444_444_444_444_444_444
OPTION_TYPES = {bool: 5, int: 4, str: 3, float: 10}

_ids = itertools.count(900_000_000_000_000_000)


@dataclass
class Sent:
    """One request the bot made to Discord's interaction endpoints."""

    method: str
    path: str
    payload: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        """The message part: the callback's ``data``, or a followup's whole body."""
        inner = self.payload.get("data")
        return inner if isinstance(inner, dict) else self.payload

    @property
    def embed(self) -> dict[str, Any]:
        embeds = self.data.get("embeds") or []
        assert len(embeds) == 1, f"expected one embed, got {embeds!r}"
        return dict(embeds[0])

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags", 0)) & 64)

    @property
    def text(self) -> str:
        """Every piece of text in the message, for assertions."""
        return json.dumps(self.data, ensure_ascii=False)


def message_payload(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(next(_ids)),
        "channel_id": str(CHANNEL_ID),
        "type": 0,
        "content": body.get("content", ""),
        "author": {"id": str(APPLICATION_ID), "username": "Gridbot", "discriminator": "0"},
        "attachments": [],
        "embeds": body.get("embeds", []),
        "mentions": [],
        "mention_roles": [],
        "pinned": False,
        "mention_everyone": False,
        "tts": False,
        "timestamp": "2026-11-27T00:00:00+00:00",
        "edited_timestamp": None,
        "flags": body.get("flags", 0),
        "components": body.get("components", []),
    }


class RecordingAdapter(AsyncWebhookAdapter):
    """Records every interaction request and answers as Discord would, without a network."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # discord.py leaves it unannotated
        self.sent: list[Sent] = []
        self.messages: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()

    async def request(
        self, route: Route, session: Any, *, payload: dict[str, Any] | None = None, **_: Any
    ) -> Any:
        body = payload or {}
        self.sent.append(Sent(route.method, route.path, body))
        self.arrived.set()
        if route.path.endswith("/callback"):
            # As Discord answers ?with_response=1: the interaction and the message it created.
            message = message_payload(body.get("data") or {})
            self.messages.append(message)
            return {
                "interaction": {
                    "id": str(route.webhook_id),
                    "type": 2,
                    "response_message_id": message["id"],
                    "response_message_ephemeral": bool(message["flags"] & 64),
                },
                "resource": {"type": body.get("type", 4), "message": message},
            }
        return message_payload(body)


def interaction_payload(
    name: str, options: dict[str, Any], *, kind: int = 2, user_id: int = USER_ID
) -> dict[str, Any]:
    """A gateway ``INTERACTION_CREATE`` for a slash command (2) or its autocomplete (4)."""
    interaction_id = next(_ids)
    user = {
        "id": str(user_id),
        "username": "fan",
        "discriminator": "0",
        "global_name": "Fan",
        "avatar": None,
    }
    return {
        "id": str(interaction_id),
        "application_id": str(APPLICATION_ID),
        "type": kind,
        "token": f"interaction-token-{interaction_id}",
        "version": 1,
        "guild_id": str(GUILD_ID),
        "channel_id": str(CHANNEL_ID),
        "channel": {
            "id": str(CHANNEL_ID),
            "type": 0,
            "guild_id": str(GUILD_ID),
            "name": "grid",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "permissions": "2147483647",
        },
        "member": {
            "user": user,
            "roles": [],
            "joined_at": "2020-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "permissions": "2147483647",
            "flags": 0,
        },
        "data": {
            "id": str(next(_ids)),
            "name": name,
            "type": 1,
            "options": [
                {"name": key, "type": OPTION_TYPES.get(type(value), 3), "value": value}
                for key, value in options.items()
            ],
        },
        "locale": "en-GB",
        "guild_locale": "en-GB",
        "app_permissions": "0",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(GUILD_ID)},
        "context": 0,
        "attachment_size_limit": 10_485_760,
    }


async def invoke(
    client: discord.Client, adapter: RecordingAdapter, command: str, /, **options: Any
) -> Sent:
    """Dispatch ``/name options`` through the client and return the first thing it sent."""
    before = len(adapter.sent)
    # Why mypy is silenced below: discord.py wants a TypedDict; this is a plain dict
    client._connection.parse_interaction_create(interaction_payload(command, options))  # type: ignore[arg-type]
    return await next_sent(adapter, before)


async def next_sent(adapter: RecordingAdapter, before: int) -> Sent:
    """The request at index ``before``, waiting up to Discord's 3 s for it to be made."""
    async with asyncio.timeout(3):
        while len(adapter.sent) == before:
            adapter.arrived.clear()
            await adapter.arrived.wait()
    return adapter.sent[before]


async def autocomplete(
    client: discord.Client, adapter: RecordingAdapter, command: str, focused: str, **options: Any
) -> list[dict[str, Any]]:
    """Type into option ``focused`` of ``/command`` and return the choices the bot offers."""
    payload = interaction_payload(command, options, kind=4)
    for option in payload["data"]["options"]:
        if option["name"] == focused:
            option["focused"] = True
    before = len(adapter.sent)
    # Why mypy is silenced below: discord.py wants a TypedDict; this is a plain dict
    client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
    sent = await next_sent(adapter, before)
    assert sent.payload["type"] == 8, "autocomplete answers with type 8"
    return list(sent.payload["data"]["choices"])


async def press(
    client: discord.Client,
    adapter: RecordingAdapter,
    message: dict[str, Any],
    custom_id: str,
    *,
    user_id: int = USER_ID,
) -> Sent:
    """Press the button ``custom_id`` on a message the bot sent, as ``user_id``."""
    payload = interaction_payload("", {}, kind=3, user_id=user_id)
    payload["data"] = {"custom_id": custom_id, "component_type": 2}
    payload["message"] = message
    before = len(adapter.sent)
    # Why mypy is silenced below: discord.py wants a TypedDict; this is a plain dict
    client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
    return await next_sent(adapter, before)


async def invoke_payload(
    client: discord.Client, adapter: RecordingAdapter, payload: dict[str, Any]
) -> Sent:
    """Dispatch a prepared ``INTERACTION_CREATE`` payload; the first thing the bot sent."""
    before = len(adapter.sent)
    # Why mypy is silenced below: discord.py wants a TypedDict; this is a plain dict
    client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
    return await next_sent(adapter, before)


def with_attachment(
    payload: dict[str, Any], option: str, *, filename: str, size: int, url: str
) -> dict[str, Any]:
    """Add an attachment option (type 11) and its ``resolved`` entry, as Discord sends them."""
    attachment_id = str(next(_ids))
    payload["data"]["options"].insert(0, {"name": option, "type": 11, "value": attachment_id})
    payload["data"]["resolved"] = {
        "attachments": {
            attachment_id: {
                "id": attachment_id,
                "filename": filename,
                "size": size,
                "url": url,
                "proxy_url": url,
                "content_type": "text/markdown; charset=utf-8",
            }
        }
    }
    return payload
