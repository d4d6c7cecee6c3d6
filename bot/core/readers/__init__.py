"""Results readers: one module per format, chosen by the file's content.

Every reader module has ``FORMAT`` (the name people call the format by), ``FAMILY``
(``"json"``, ``"xml"`` or ``"table"``), ``accepts(source)`` (a cheap look at the content) and
``read(source)`` (the file's sessions, or a ``GridFileError`` naming the line). The file's first
character picks the family; the first reader of it that accepts the file reads it. A file that
no reader accepts gets an error naming the formats tried and what the file looked like.

Gridbot's own Markdown and CSV grids (see README: data files) are read by
:mod:`bot.core.parser` and :mod:`bot.core.csvgrid`; :func:`native` says when a file is one.
"""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType

from bot.core.errors import GridFileError
from bot.core.readers.common import Session, Source, decode_text

READER_NAMES = ("acc", "ac", "iracing_json", "rfactor", "iracing_csv", "alkamel", "f1", "webtable")
"""In the order they are tried: the most particular first, web tables last."""


@cache
def readers() -> tuple[ModuleType, ...]:
    """The reader modules, imported on first use (a bot serving only Gridbot's own grids never
    imports an XML parser)."""
    return tuple(importlib.import_module(f"bot.core.readers.{name}") for name in READER_NAMES)


FAMILY_NAMES = {"json": "JSON", "xml": "XML", "table": "a table"}

__all__ = ["READER_NAMES", "Session", "Source", "decode_text", "read_sessions"]


def read_sessions(source: Source) -> list[Session]:
    """The sessions a results file holds, read by the first reader that accepts it."""
    tried = [reader for reader in readers() if source.family == reader.FAMILY]
    for reader in tried:
        if reader.accepts(source):
            sessions: list[Session] = reader.read(source)
            return sessions
    raise GridFileError(source.path, None, _refusal(source, tried))


def _refusal(source: Source, tried: list[ModuleType]) -> str:
    names = ", ".join(reader.FORMAT for reader in tried)
    if source.family == "json":
        data = source.json
        keys = sorted(data)[:5] if isinstance(data, dict) else []
        shape = f"keys {', '.join(keys)}" if keys else f"a JSON {type(data).__name__}"
        return (
            "JSON, but not a results file: no sessionResult, Result or session_results "
            f"({shape}); tried {names}"
        )
    if source.family == "xml":
        return f"XML, but not a results file this bot reads; tried {names}"
    first = next((line.strip() for line in source.lines if line.strip()), "")
    return (
        f"not a results table: found no header or rows this bot reads (first line: "
        f"{first[:60]!r}); tried {names}, and Gridbot's own Markdown and CSV grids"
    )
