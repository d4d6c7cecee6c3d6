"""Discord's limits on message bodies, reported the way Discord reports them."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

EMBED_LIMITS = {"title": 256, "description": 4096}
FIELD_LIMITS = {"name": 256, "value": 1024}
EMBED_TOTAL = 6000


def _too_long(limit: int) -> JSON:
    return {
        "_errors": [
            {"code": "BASE_TYPE_MAX_LENGTH", "message": f"Must be {limit} or fewer in length."}
        ]
    }


def _embed_size(embed: JSON) -> int:
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    size += len((embed.get("footer") or {}).get("text") or "")
    size += len((embed.get("author") or {}).get("name") or "")
    for field in embed.get("fields") or []:
        size += len(field.get("name") or "") + len(field.get("value") or "")
    return size


def _embed_errors(embed: JSON) -> JSON:
    errors: JSON = {}
    for key, limit in EMBED_LIMITS.items():
        if len(embed.get(key) or "") > limit:
            errors[key] = _too_long(limit)
    fields = embed.get("fields") or []
    if len(fields) > 25:
        errors["fields"] = _too_long(25)
    field_errors: JSON = {}
    for index, field in enumerate(fields):
        problems = {k: _too_long(n) for k, n in FIELD_LIMITS.items() if len(field.get(k) or "") > n}
        if not field.get("name") or not field.get("value"):
            problems["value"] = {
                "_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}]
            }
        if problems:
            field_errors[str(index)] = problems
    if field_errors:
        errors["fields"] = field_errors
    if len((embed.get("footer") or {}).get("text") or "") > 2048:
        errors["footer"] = {"text": _too_long(2048)}
    return errors


def body_errors(body: JSON, *, file_count: int = 0) -> tuple[int, JSON] | None:
    """``(code, errors)`` when Discord would refuse this message body, else ``None``."""
    if not any(
        body.get(k) for k in ("content", "embeds", "components", "poll", "sticker_ids")
    ) and not (file_count or body.get("attachments")):
        return 50006, {}
    errors: JSON = {}
    if len(body.get("content") or "") > 2000:
        errors["content"] = _too_long(2000)
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        errors["embeds"] = _too_long(10)
    embed_errors = {str(i): e for i, embed in enumerate(embeds) if (e := _embed_errors(embed))}
    if embed_errors:
        errors["embeds"] = embed_errors
    if sum(_embed_size(e) for e in embeds) > EMBED_TOTAL:
        errors.setdefault("embeds", {})["_errors"] = [
            {
                "code": "MAX_EMBED_SIZE_EXCEEDED",
                "message": "Embed size exceeds maximum size of 6000",
            }
        ]
    return (50035, errors) if errors else None


def choices_errors(data: JSON) -> JSON | None:
    """Errors for an autocomplete result: up to 25 choices, names 1-100, string values <= 100."""
    choices = data.get("choices")
    if not isinstance(choices, list):
        return {
            "choices": {
                "_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}]
            }
        }
    errors: JSON = {}
    if len(choices) > 25:
        errors["choices"] = _too_long(25)
    for index, choice in enumerate(choices):
        name, value = choice.get("name") or "", choice.get("value")
        if not 1 <= len(name) <= 100 or (isinstance(value, str) and len(value) > 100):
            errors.setdefault("choices", {})[str(index)] = _too_long(100)
    return errors or None
