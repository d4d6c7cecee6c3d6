"""Interactions as Discord enforces them: one acknowledgement in time, then followups."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from . import errors
from .messages import body_errors, choices_errors
from .payloads import World, message
from .snowflakes import snowflake

JSON = dict[str, Any]

CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9
EPHEMERAL = 1 << 6
LOADING = 1 << 7


@dataclass
class Interaction:
    payload: JSON
    dispatched_at: float = field(default_factory=time.monotonic)
    response_type: int | None = None
    original: JSON | None = None
    messages: dict[str, JSON] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.payload["id"])

    @property
    def token(self) -> str:
        return str(self.payload["token"])


class Interactions:
    """What Discord remembers about the interactions it sent, keyed by id and by token."""

    def __init__(self, world: World, *, deadline: float = 3.0) -> None:
        self.world = world
        self.deadline = deadline
        """Seconds an interaction may go unacknowledged before it is unknown (3 s on Discord)."""
        self.by_id: dict[str, Interaction] = {}
        self.by_token: dict[str, Interaction] = {}

    def add(self, payload: JSON) -> Interaction:
        item = Interaction(payload)
        self.by_id[item.id] = item
        self.by_token[item.token] = item
        return item

    def callback(
        self, interaction_id: str, token: str, body: JSON, *, file_count: int
    ) -> web.Response:
        item = self.by_id.get(interaction_id)
        if item is None or item.token != token:
            return errors.unknown_interaction()
        if item.response_type is not None:
            return errors.already_acknowledged()
        if time.monotonic() - item.dispatched_at > self.deadline:
            return errors.unknown_interaction()
        kind = body.get("type")
        data = body.get("data") or {}
        if kind == CHANNEL_MESSAGE and (problem := body_errors(data, file_count=file_count)):
            code, found = problem
            if code == 50006:
                return errors.error(400, "Cannot send an empty message", 50006)
            return errors.invalid_form_body({"data": found})
        if kind == AUTOCOMPLETE_RESULT:
            if item.payload["type"] != 4:
                return errors.error(400, "Interaction is not an autocomplete interaction", 50035)
            if found_choices := choices_errors(data):
                return errors.invalid_form_body({"data": found_choices})
        if kind not in (
            CHANNEL_MESSAGE,
            DEFERRED_CHANNEL_MESSAGE,
            DEFERRED_UPDATE,
            UPDATE_MESSAGE,
            8,
            MODAL,
        ):
            return errors.invalid_form_body(
                {
                    "type": {
                        "_errors": [
                            {
                                "code": "BASE_TYPE_CHOICES",
                                "message": "Value must be one of (1, 4, 5, 6, 7, 8, 9).",
                            }
                        ]
                    }
                }
            )
        item.response_type = kind
        ack: JSON = {"id": item.id, "type": item.payload["type"]}
        resource: JSON = {"type": kind}
        if kind in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
            flags = int(data.get("flags") or 0)
            if kind == DEFERRED_CHANNEL_MESSAGE:
                data = {"content": "", "flags": (flags & EPHEMERAL) | LOADING}
            item.original = self._message(item, data)
            ack["response_message_id"] = item.original["id"]
            ack["response_message_loading"] = kind == DEFERRED_CHANNEL_MESSAGE
            ack["response_message_ephemeral"] = bool(flags & EPHEMERAL)
            resource["message"] = item.original
        return errors.discord_json({"interaction": ack, "resource": resource})

    def _message(self, item: Interaction, body: JSON) -> JSON:
        created = message(
            self.world, message_id=snowflake(), body=body, interaction_payload=item.payload
        )
        item.messages[created["id"]] = created
        return created

    def _acknowledged(self, application_id: str, token: str) -> Interaction | None:
        item = self.by_token.get(token)
        if (
            item is None
            or application_id != str(self.world.application_id)
            or item.response_type is None
        ):
            return None
        return item

    def followup(
        self, application_id: str, token: str, body: JSON, *, file_count: int, wait: bool
    ) -> web.Response:
        item = self._acknowledged(application_id, token)
        if item is None:
            return errors.unknown_webhook()
        if problem := body_errors(body, file_count=file_count):
            code, found = problem
            return (
                errors.error(400, "Cannot send an empty message", 50006)
                if code == 50006
                else errors.invalid_form_body(found)
            )
        created = self._message(item, body)
        return errors.discord_json(created) if wait else web.Response(status=204)

    def _resolve(self, item: Interaction, message_id: str) -> JSON | None:
        if message_id == "@original":
            return item.original
        return item.messages.get(message_id)

    def get_message(self, application_id: str, token: str, message_id: str) -> web.Response:
        item = self._acknowledged(application_id, token)
        if item is None:
            return errors.unknown_webhook()
        found = self._resolve(item, message_id)
        return errors.discord_json(found) if found else errors.unknown_message()

    def edit_message(
        self, application_id: str, token: str, message_id: str, body: JSON
    ) -> web.Response:
        item = self._acknowledged(application_id, token)
        if item is None:
            return errors.unknown_webhook()
        found = self._resolve(item, message_id)
        if found is None:
            return errors.unknown_message()
        if problem := body_errors({**found, **body}):
            return errors.invalid_form_body(problem[1])
        for key in ("content", "embeds", "components", "attachments"):
            if key in body:
                found[key] = body[key]
        found["flags"] = int(found.get("flags", 0)) & ~LOADING
        return errors.discord_json(found)

    def delete_message(self, application_id: str, token: str, message_id: str) -> web.Response:
        item = self._acknowledged(application_id, token)
        if item is None:
            return errors.unknown_webhook()
        found = self._resolve(item, message_id)
        if found is None:
            return errors.unknown_message()
        item.messages.pop(found["id"], None)
        if message_id == "@original":
            item.original = None
        return web.Response(status=204)
