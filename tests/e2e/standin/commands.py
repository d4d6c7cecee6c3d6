"""Application commands stored with Discord's bulk-overwrite semantics and main validation rules."""

from __future__ import annotations

import copy
import re
from typing import Any

from .snowflakes import snowflake

JSON = dict[str, Any]
Scope = int | None
"""``None`` for global commands, else the guild id."""

NAME = re.compile(r"^[-_'\w]{1,32}$")
OPTION_TYPES = range(1, 12)
AUTOCOMPLETE_TYPES = {3, 4, 10}
MAX_SAFE_INTEGER = 2**53


def _err(code: str, message: str) -> JSON:
    return {"_errors": [{"code": code, "message": message}]}


def _check_name_and_description(item: JSON, *, chat_input: bool) -> JSON:
    errors: JSON = {}
    name = item.get("name")
    if not isinstance(name, str) or not NAME.match(name) or (chat_input and name != name.lower()):
        errors["name"] = _err("APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    description = item.get("description", "")
    if chat_input and not (isinstance(description, str) and 1 <= len(description) <= 100):
        errors["description"] = _err("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    return errors


def _check_option(option: JSON) -> JSON:
    errors = _check_name_and_description(option, chat_input=True)
    kind = option.get("type")
    if kind not in OPTION_TYPES:
        errors["type"] = _err("BASE_TYPE_CHOICES", f"Value must be one of {list(OPTION_TYPES)}.")
    choices = option.get("choices") or []
    if len(choices) > 25:
        errors["choices"] = _err("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    if option.get("autocomplete"):
        if choices:
            errors["autocomplete"] = _err(
                "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INCOMPATIBLE",
                "Autocomplete cannot be used with choices",
            )
        if kind not in AUTOCOMPLETE_TYPES:
            errors["autocomplete"] = _err(
                "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID_TYPE",
                "Autocomplete is only supported for strings, integers and numbers",
            )
    for bound in ("min_value", "max_value"):
        value = option.get(bound)
        if value is not None and abs(value) > MAX_SAFE_INTEGER:
            errors[bound] = _err("NUMBER_TYPE_MAX", f"int value should be <= {MAX_SAFE_INTEGER}.")
    for bound in ("min_length", "max_length"):
        value = option.get(bound)
        if value is not None and not 0 <= value <= 6000:
            errors[bound] = _err("NUMBER_TYPE_MAX", "int value should be <= 6000.")
    return errors


def validate(commands: Any) -> JSON:
    """Discord's ``errors`` tree for a bulk overwrite body; empty when Discord would accept it."""
    if not isinstance(commands, list):
        return {"_errors": [{"code": "BASE_TYPE_ARRAY", "message": "Must be an array."}]}
    errors: JSON = {}
    seen: set[tuple[str, int]] = set()
    for index, command in enumerate(commands):
        kind = command.get("type", 1)
        found = _check_name_and_description(command, chat_input=kind == 1)
        key = (command.get("name", ""), kind)
        if key in seen:
            found["name"] = _err(
                "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique"
            )
        seen.add(key)
        options = command.get("options") or []
        if len(options) > 25:
            found["options"] = _err("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        option_errors: JSON = {}
        optional_seen = False
        for position, option in enumerate(options):
            problems = _check_option(option)
            if option.get("required") and optional_seen:
                problems["required"] = _err(
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
            optional_seen = optional_seen or not option.get("required")
            if problems:
                option_errors[str(position)] = problems
        if option_errors:
            found["options"] = option_errors
        if found:
            errors[str(index)] = found
    if len(commands) > 100:
        errors["_errors"] = [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 100 or fewer."}]
    return errors


class CommandStore:
    """Commands per scope; an overwrite keeps the id of a command whose name and type survive."""

    def __init__(self, application_id: int) -> None:
        self.application_id = application_id
        self.scopes: dict[Scope, list[JSON]] = {}

    def get(self, scope: Scope) -> list[JSON]:
        return copy.deepcopy(self.scopes.get(scope, []))

    def overwrite(self, scope: Scope, commands: list[JSON]) -> list[JSON]:
        previous = {(c["name"], c["type"]): c["id"] for c in self.scopes.get(scope, [])}
        stored = []
        for sent in commands:
            command: JSON = {
                "type": 1,
                "description": "",
                "default_member_permissions": None,
                "nsfw": False,
                "contexts": None,
                "integration_types": [0],
                **copy.deepcopy(sent),
            }
            command["id"] = previous.get((command["name"], command["type"])) or str(snowflake())
            command["application_id"] = str(self.application_id)
            command["version"] = str(snowflake())
            if scope is None:
                command.setdefault("dm_permission", True)
            else:
                command["guild_id"] = str(scope)
            stored.append(command)
        self.scopes[scope] = stored
        return copy.deepcopy(stored)

    def find_in_dm(self, name: str) -> JSON | None:
        """The global command a user would pick in the bot's DM, if it is allowed there.

        ``contexts`` (when set) must include 1 (BOT_DM); else ``dm_permission`` must not be
        false. Guild commands are never offered in a DM.
        """
        for command in self.scopes.get(None, []):
            if command["name"] == name and command["type"] == 1:
                contexts = command.get("contexts")
                allowed = (
                    1 in contexts if contexts is not None else command.get("dm_permission", True)
                )
                return copy.deepcopy(command) if allowed is not False else None
        return None

    def find(self, name: str, *, guild_id: int) -> JSON | None:
        """The command a user in ``guild_id`` would pick: the guild's copy first."""
        for scope in (guild_id, None):
            for command in self.scopes.get(scope, []):
                if command["name"] == name and command["type"] == 1:
                    return copy.deepcopy(command)
        return None
