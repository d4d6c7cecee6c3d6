"""Message components as Discord keeps and shows them: numbered, walked, and clicked.

A message body carries ``components``: action rows (type 1) of buttons (type 2) and selects,
or, with components v2, containers and sections whose buttons may sit in ``accessory``. Discord
numbers every component it stores (``id``, from 1, in document order, keeping ids the bot gave)
and sends the message back that way, in answers and in the ``message`` of a click.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

JSON = dict[str, Any]

ACTION_ROW = 1
BUTTON = 2


def walk(components: list[JSON] | None) -> Iterator[JSON]:
    """Every component, depth first in document order: rows, their children, accessories."""
    for component in components or []:
        yield component
        yield from walk(component.get("components"))
        accessory = component.get("accessory")
        if isinstance(accessory, dict):
            yield from walk([accessory])


def numbered(components: list[JSON] | None) -> list[JSON]:
    """A copy of ``components`` with an ``id`` on each, as Discord stores them: the ids the bot
    chose are kept, the others numbered from 1 in document order, skipping those taken."""
    stored = copy.deepcopy(components or [])
    taken = {c["id"] for c in walk(stored) if isinstance(c.get("id"), int)}
    next_id = 1
    for component in walk(stored):
        if isinstance(component.get("id"), int):
            continue
        while next_id in taken:
            next_id += 1
        component["id"] = next_id
        taken.add(next_id)
    return stored


def by_custom_id(components: list[JSON] | None, custom_id: str) -> JSON | None:
    """The component whose ``custom_id`` is ``custom_id``, or ``None``."""
    return next((c for c in walk(components) if c.get("custom_id") == custom_id), None)


def custom_ids(components: list[JSON] | None) -> list[str]:
    """Every ``custom_id`` among ``components``, in document order."""
    return [str(c["custom_id"]) for c in walk(components) if c.get("custom_id") is not None]


def buttons(components: list[JSON] | None) -> dict[str, JSON]:
    """The buttons by label (by custom id when unlabelled): ``{"Next": {"custom_id": …,
    "disabled": False, "style": 2, "id": 4}}``. A label used twice is refused: pick those
    buttons out of ``components`` yourself."""
    found: dict[str, JSON] = {}
    for component in walk(components):
        if component.get("type") != BUTTON:
            continue
        name = str(component.get("label") or component.get("custom_id") or component.get("url"))
        if name in found:
            raise ValueError(f"two buttons are labelled {name!r}; read the components instead")
        found[name] = {
            "custom_id": component.get("custom_id"),
            "disabled": bool(component.get("disabled")),
            "style": component.get("style"),
            "id": component.get("id"),
        }
    return found


def click_refusal(components: list[JSON] | None, custom_id: str) -> str | None:
    """Why nobody could click ``custom_id`` on a message with ``components``, or ``None``.

    Discord offers only what the message shows: a button that is there and enabled (link and
    premium buttons have no custom id: clicking them sends no interaction)."""
    component = by_custom_id(components, custom_id)
    if component is None:
        shown = custom_ids(components)
        return f"the message has no component {custom_id!r} (it shows {shown or 'none'})"
    if component.get("type") != BUTTON:
        return f"{custom_id!r} is a component of type {component.get('type')}, not a button"
    if component.get("disabled"):
        label = component.get("label") or custom_id
        return f"the button {label!r} ({custom_id}) is disabled: Discord does not let it be clicked"
    return None
