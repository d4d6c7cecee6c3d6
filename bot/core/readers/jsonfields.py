"""Checked values from a results file's JSON, with errors naming the element at fault
(``sessionResult.leaderBoardLines[3].timing.bestLap: expected a whole number``)."""

from __future__ import annotations

import re

from bot.core.errors import GridFileError
from bot.core.readers.common import Source, ticks_from_ms
from bot.core.text import clip

_WHOLE = re.compile(r"-?\d+", re.ASCII)


class JsonFields:
    """Reads one file's values: whole numbers, text and times, strictly (never a float)."""

    def __init__(self, source: Source) -> None:
        self.path = source.path

    def error(self, where: str, problem: str) -> GridFileError:
        return GridFileError(self.path, None, f"{where}: {problem}")

    def whole(self, value: object, where: str) -> int | None:
        """A whole number (or one written as a string of digits); ``None`` when absent."""
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
            return int(value)
        raise self.error(where, f"expected a whole number, found {clip(repr(value), 40)}")

    def text(self, value: object, where: str) -> str:
        """Text with its spaces tidied (a number stands for its digits); ``""`` when absent."""
        if value is None:
            return ""
        if isinstance(value, str):
            return " ".join(value.split())
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise self.error(where, f"expected text, found {clip(repr(value), 40)}")

    def milliseconds(self, value: object, where: str, no_lap: int) -> int | None:
        """Milliseconds → ticks; ``None`` for no time (0, negative, or the ``no_lap`` mark
        the server writes, or more)."""
        ms = self.whole(value, where)
        if ms is None or ms <= 0 or ms >= no_lap:
            return None
        return ticks_from_ms(ms)
