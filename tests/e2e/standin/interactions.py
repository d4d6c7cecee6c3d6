"""Interactions as Discord enforces them: one acknowledgement in time, then followups."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from . import components, errors
from .messages import body_errors, choices_errors
from .payloads import COMPONENT_INTERACTION, World, message, now_iso
from .recorder import Recorded
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
MODAL_SUBMIT_INTERACTION = 5
UPDATES = (DEFERRED_UPDATE, UPDATE_MESSAGE)
"""Callbacks that answer a click by changing the message clicked, not by sending one."""
EDITABLE = ("content", "embeds", "components", "attachments")


@dataclass
class Interaction:
    payload: JSON
    dispatched_at: float = field(default_factory=time.monotonic)
    recorded_before: int = 0
    """Requests the stand-in had recorded when it was dispatched: none of them answers it."""
    response_type: int | None = None
    original: JSON | None = None
    """``@original``: the message the response created, or for a click answered with 6 or 7
    the message clicked."""
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
        self.messages: dict[str, JSON] = {}
        """Every message the bot's answers created (responses and followups), by id, as
        Discord shows it now: edits (``PATCH``) and ``UPDATE_MESSAGE`` change it in place,
        deleting it removes it."""
        self.deleted: set[str] = set()
        """The ids of messages deleted: a late answer to a click on one is Unknown Message."""

    def add(self, payload: JSON) -> Interaction:
        item = Interaction(payload)
        self.by_id[item.id] = item
        self.by_token[item.token] = item
        return item

    def callback(
        self,
        interaction_id: str,
        token: str,
        body: JSON,
        *,
        file_count: int,
        record: Recorded | None = None,
    ) -> web.Response:
        """Acknowledge an interaction: a message (4, 5), a change to the message clicked (6, 7),
        choices (8) or a modal (9). ``record`` learns the message created or changed."""
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
        clicked: JSON | None = None
        if kind in UPDATES:
            if item.payload["type"] not in (COMPONENT_INTERACTION, MODAL_SUBMIT_INTERACTION):
                return errors.invalid_form_body(
                    {
                        "type": {
                            "_errors": [
                                {
                                    "code": "BASE_TYPE_CHOICES",
                                    "message": "Value must be one of (4, 5, 9).",
                                }
                            ]
                        }
                    }
                )
            clicked = self._clicked(item)
            if clicked is None:
                return errors.unknown_message()
            if kind == UPDATE_MESSAGE and (problem := body_errors({**clicked, **data})):
                return errors.invalid_form_body({"data": problem[1]})
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
        if clicked is not None:
            item.original = clicked
            if kind == UPDATE_MESSAGE:
                _apply_edit(clicked, data)
                ack["response_message_id"] = clicked["id"]
                ack["response_message_loading"] = False
                ack["response_message_ephemeral"] = bool(int(clicked["flags"]) & EPHEMERAL)
                resource["message"] = clicked
        if record is not None and item.original is not None:
            record.message_id = item.original["id"]
        return errors.discord_json({"interaction": ack, "resource": resource})

    def _clicked(self, item: Interaction) -> JSON | None:
        """The message whose component made this interaction, as stored (a message the
        stand-in never made is stored as the interaction carried it)."""
        sent = item.payload.get("message")
        if not isinstance(sent, dict) or str(sent["id"]) in self.deleted:
            return None
        return self.messages.setdefault(str(sent["id"]), copy.deepcopy(sent))

    def _message(self, item: Interaction, body: JSON) -> JSON:
        created = message(
            self.world, message_id=snowflake(), body=body, interaction_payload=item.payload
        )
        item.messages[created["id"]] = created
        self.messages[created["id"]] = created
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
        self,
        application_id: str,
        token: str,
        body: JSON,
        *,
        file_count: int,
        wait: bool,
        record: Recorded | None = None,
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
        if record is not None:
            record.message_id = created["id"]
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
        self,
        application_id: str,
        token: str,
        message_id: str,
        body: JSON,
        *,
        record: Recorded | None = None,
    ) -> web.Response:
        item = self._acknowledged(application_id, token)
        if item is None:
            return errors.unknown_webhook()
        found = self._resolve(item, message_id)
        if found is None:
            return errors.unknown_message()
        if problem := body_errors({**found, **body}):
            return errors.invalid_form_body(problem[1])
        _apply_edit(found, body)
        if record is not None:
            record.message_id = found["id"]
        return errors.discord_json(found)

    def delete_message(self, application_id: str, token: str, message_id: str) -> web.Response:
        item = self._acknowledged(application_id, token)
        if item is None:
            return errors.unknown_webhook()
        found = self._resolve(item, message_id)
        if found is None:
            return errors.unknown_message()
        self.messages.pop(found["id"], None)
        self.deleted.add(found["id"])
        answered = str((found.get("interaction_metadata") or {}).get("id"))
        for holder in (item, self.by_id.get(answered)):
            if holder is not None:
                holder.messages.pop(found["id"], None)
                if found is holder.original:
                    holder.original = None
        return web.Response(status=204)


def _apply_edit(found: JSON, body: JSON | None) -> None:
    """Change a stored message as an edit or ``UPDATE_MESSAGE`` with ``body`` does: the fields
    given replace the message's (components numbered anew); a loading message stops loading."""
    body = body or {}
    for key in EDITABLE:
        if key in body:
            found[key] = body[key] if body[key] is not None else ("" if key == "content" else [])
    if "components" in body:
        found["components"] = components.numbered(body["components"])
    found["flags"] = int(found.get("flags", 0)) & ~LOADING
    found["edited_timestamp"] = now_iso()
