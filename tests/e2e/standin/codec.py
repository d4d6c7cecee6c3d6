"""The stand-in's JSON: orjson when it is installed (it comes with ``discord.py[speed]``), else
the standard library's, with the same meaning either way.

The stand-in shares the benchmark's machine with the bot it measures, and in a burst it encodes
and decodes every callback and every answer echoed back: the standard library's encoder made
it spend more on a bigger answer than the bot did on writing it (issue 15). Discord's own cost
is no part of what the benchmark measures, so the stand-in keeps its share small.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ModuleNotFoundError:  # pragma: no cover - orjson is installed with discord.py[speed]
    orjson = None  # type: ignore[assignment]


def dumps(value: Any, *, sort_keys: bool = False) -> bytes:
    """Compact JSON as UTF-8 bytes; object keys that are not strings written as strings."""
    if orjson is not None:
        option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_SORT_KEYS if sort_keys else 0)
        return orjson.dumps(value, option=option)
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=sort_keys)
    return text.encode()


def loads(data: bytes | str) -> Any:
    return orjson.loads(data) if orjson is not None else json.loads(data)
