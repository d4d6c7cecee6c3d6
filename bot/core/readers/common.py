"""What every results reader shares: the session it yields, entries, exact times and text.

A reader turns a file's text into :class:`Session` objects, one per session the file holds.
Times stay exact integers of ticks (1/10,000 s, :mod:`bot.core.times`); no reader goes through
``float``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.core.errors import GridFileError
from bot.core.model import PRACTICE, QUALIFYING, RACE, Driver, Entry
from bot.core.parser import decode, file_lines
from bot.core.text import fold
from bot.core.times import TICKS_PER_SECOND, TimeFormatError, is_no_time, parse_time

_NO_EXTRA: Mapping[str, str] = MappingProxyType({})
_MINUTE_MARKS = re.compile(r"(?<=\d)\s*['’′″]\s*(?=\d)")  # noqa: RUF001 (marks pages use)
_SECONDS = re.compile(r"^(\d+)(?:\.(\d+))?$")


@dataclass(frozen=True, slots=True)
class Session:
    """One session of a results file, read but not yet a grid.

    ``entries`` are in classification order with positions 1..n. ``kind`` is ``None`` when the
    file does not say (the file name then decides). The other fields are what the file says
    about itself; ``""`` / ``None`` leave the file name's reading in place.
    """

    entries: tuple[Entry, ...]
    kind: str | None = None
    name: str = ""
    event: str = ""
    circuit: str = ""
    year: int | None = None
    date: str = ""
    format: str = ""
    """The reader that read it, as people call the format (``"ACC server JSON"``)."""
    unique_numbers: bool = False
    """Whether two entries sharing a car number is an error in this format."""
    notes: tuple[str, ...] = field(default=())


def kind_of(name: str) -> str | None:
    """The session kind a session's name says: ``"Q"``, ``"QUALIFY"``, ``"Qualifying 2"`` →
    qualifying; ``"R"``, ``"RACE"``, ``"Feature race"`` → race; ``"FP"``, ``"Practice"``,
    ``"Warm up"`` → practice; anything else → ``None``."""
    words = fold(name).split()
    if not words:
        return None
    first = words[0]
    if first in ("q", "q1", "q2", "q3", "qualify", "qualifying", "qualification", "quali"):
        return QUALIFYING
    if first in ("r", "r1", "r2", "race", "feature", "sprint", "main") or "race" in words:
        return RACE
    if first in ("p", "fp", "fp1", "fp2", "fp3", "practice", "warm", "warmup", "test"):
        return PRACTICE
    if "qualifying" in words or "qualify" in words:
        return QUALIFYING
    if "practice" in words:
        return PRACTICE
    return None


SESSION_NAMES = {PRACTICE: "Practice", QUALIFYING: "Qualifying", RACE: "Race"}


def driver(name: str) -> Driver:
    """A driver from a name as a results file gives it, spaces tidied; a ``/`` in it is part of
    the name (``/extremeRCR/``), not a list of drivers as in a Markdown grid."""
    return Driver(sys.intern(" ".join(name.split())))


def make_entry(
    position: int,
    *,
    number: str = "",
    drivers: Iterable[str] = (),
    car: str = "",
    team: str = "",
    time: int | None = None,
    line: int = 0,
    klass: str = "",
    laps: int | None = None,
    total: int | None = None,
    behind: int | None = None,
    status: str = "",
    parts: tuple[tuple[str, int | None], ...] = (),
    extra: Mapping[str, str] | None = None,
) -> Entry:
    """An entry with its text tidied and interned, as every reader builds them."""
    names = tuple(driver(name) for name in drivers if " ".join(name.split()))
    found = dict(extra or {})
    if klass.strip():
        found["class"] = " ".join(klass.split())
    return Entry(
        position=position,
        number=sys.intern(number.strip().lstrip("#").strip()),
        drivers=names,
        car=sys.intern(" ".join(car.split())),
        team=sys.intern(" ".join(team.split())),
        time=time,
        line=line,
        extra=MappingProxyType(found) if found else _NO_EXTRA,
        laps=laps,
        total=total,
        behind=behind,
        status=status,
        parts=parts,
    )


def ticks_from_ms(ms: int) -> int:
    """Milliseconds → ticks, exactly."""
    return ms * (TICKS_PER_SECOND // 1000)


def ticks_from_seconds(text: str) -> int:
    """``"122.1243"`` (seconds as a decimal string) → ticks, exactly; digits past the fourth
    decimal are cut, not rounded, so that showing the time rounds once, from the source."""
    match = _SECONDS.match(text.strip())
    if match is None:
        raise TimeFormatError(f"cannot read {text.strip()!r} as seconds")
    whole, frac = match.group(1), match.group(2) or ""
    return int(whole) * TICKS_PER_SECOND + int(frac[:4].ljust(4, "0"))


def loose_time(text: str) -> int:
    """A lap or race time as results pages write it: ``1:36.144``, ``1'36.144``,
    ``1’36.144``, ``1″36.144``, ``4:00'04.690`` → ticks."""
    cleaned = _MINUTE_MARKS.sub(":", text.strip())
    return parse_time(cleaned)


def optional_time(text: str, path: Path | str, line: int) -> int | None:
    """A time cell, or ``None`` when it says no time; a ``GridFileError`` naming the line for
    anything else."""
    if is_no_time(text):
        return None
    try:
        return loose_time(text)
    except TimeFormatError as error:
        raise GridFileError(path, line, str(error)) from None


@dataclass
class Source:
    """A results file's text, and what readers look at: its lines, its JSON."""

    path: Path
    text: str

    @cached_property
    def lines(self) -> list[str]:
        """The file's lines, split on newlines only, without line ends."""
        return file_lines(self.text)

    @cached_property
    def family(self) -> str:
        """``"json"``, ``"xml"`` or ``"table"``, from the first character that is not space."""
        start = self.text.lstrip("\ufeff \t\r\n")[:1]
        if start in ("{", "["):
            return "json"
        if start == "<":
            return "xml"
        return "table"

    @cached_property
    def json(self) -> Any:
        """The parsed JSON; a ``GridFileError`` naming the line for invalid JSON."""
        try:
            return json.loads(self.text)
        except json.JSONDecodeError as error:
            raise GridFileError(self.path, error.lineno, f"invalid JSON: {error.msg}") from None
        except RecursionError:
            raise GridFileError(self.path, None, "invalid JSON: nested too deeply") from None


def decode_text(data: bytes, path: Path | str) -> str:
    """Text from UTF-16 (with a BOM, or without one as the ACC server writes it) or UTF-8."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _utf16(data, "utf-16", path)
    if len(data) >= 2 and len(data) % 2 == 0:
        head = data[:200]
        if head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0:
            return _utf16(data, "utf-16-le", path)
        if head[0::2].count(0) > len(head) // 4 and head[1::2].count(0) == 0:
            return _utf16(data, "utf-16-be", path)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # rFactor 2 declares UTF-8 but writes accented names in Windows-1252.
            return data.decode("cp1252", errors="replace")
    return decode(data, path)


def _utf16(data: bytes, codec: str, path: Path | str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        line = data[: error.start].decode(codec, errors="replace").count("\n") + 1
        raise GridFileError(path, line, "the file is not valid UTF-16") from None
