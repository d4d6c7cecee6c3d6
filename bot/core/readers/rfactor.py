"""rFactor 2 / Le Mans Ultimate results XML: ``<rFactorXML><RaceResults>`` with one section per
session (``Practice1``, ``Qualify``, ``Race``, ``Warmup``...), each with ``<Driver>`` elements.

What is read, per ``Driver``: ``Name``, ``CarNumber`` (kept as written, ``"01"``; two cars may
share one), ``TeamName``, ``VehName`` (the car), ``CarClass``, ``Position``, ``BestLapTime``
(seconds with up to 4 decimals, exact; missing, ``0`` or negative means no time), ``Laps``, and
in a race ``FinishTime`` and ``FinishStatus``. ``Lap``, ``Stream`` and the rest are skipped.

Order: a race keeps the file's ``Position`` (cars without one last, in file order); practice and
qualifying are ordered by best lap, cars without a time last, because rFactor 2 sometimes
writes positions that do not match the laps (the file's ``Position`` breaks ties).

Status: ``Finished Normally`` → ``""``, ``DNF`` → ``"DNF"``, ``DQ`` → ``"DSQ"``; in a race
``None`` (the car never took the flag) → ``"DNF"``, and any other word is kept. Outside a race
only a disqualification is kept: a qualifying car is not "not classified" for stopping early.

Safety: the file is parsed with the standard library's expat, with everything but short
plain-text internal entities refused: no external DTD or entity (nothing is ever opened or
fetched), no parameter entities, no entity whose text refers to another entity (billion
laughs), no long entity text and no more expansion than the file's own size (quadratic
blowup), no attribute-list declarations (defaults copied into every element). rFactor 2's own
``<!DOCTYPE rF [<!ENTITY rFEnt "rFactor Entity">]>`` passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NoReturn
from xml.parsers import expat

from bot.core.errors import GridFileError
from bot.core.model import PRACTICE, QUALIFYING, RACE, Entry
from bot.core.readers.common import Session, Source, make_entry, ticks_from_seconds
from bot.core.times import TimeFormatError

FORMAT = "rFactor 2 results XML"
FAMILY = "xml"

_SECTION = re.compile(r"^(Practice|Qualify|Race|Warmup|TestDay)(\d*)$")
_KINDS = {
    "Practice": (PRACTICE, "Practice"),
    "Qualify": (QUALIFYING, "Qualifying"),
    "Race": (RACE, "Race"),
    "Warmup": (PRACTICE, "Warmup"),
    "TestDay": (PRACTICE, "Test Day"),
}
_DRIVER_FIELDS = frozenset(
    {
        "Name",
        "Swap",
        "CarNumber",
        "TeamName",
        "VehName",
        "CarClass",
        "Position",
        "BestLapTime",
        "Laps",
        "FinishTime",
        "FinishStatus",
    }
)
_HEADER_FIELDS = frozenset({"TrackVenue", "TrackCourse", "TrackEvent", "TimeString", "DateTime"})
_SECTION_FIELDS = frozenset({"TimeString", "DateTime"})
_DATE = re.compile(r"^\s*(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})")
_ENTITY_REF = re.compile(r"&([A-Za-z_:][\w.:-]*);")
_BARE_AMPERSAND = re.compile(r"&(?!#[0-9]+;|#x[0-9A-Fa-f]+;|[A-Za-z_:][\w.:-]*;)")

MAX_ENTITIES = 16
"""Entity declarations accepted in a file's internal DTD (rFactor 2 writes one)."""
MAX_ENTITY_TEXT = 256
"""Characters an entity's text may hold (rFactor 2's ``rFEnt`` holds 14)."""
_STATUS = {"finished normally": "", "dnf": "DNF", "dq": "DSQ", "none": "DNF"}


class _Refused(Exception):
    """Raised inside an expat handler to stop the parse; carries the message."""


@dataclass
class _Driver:
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    swaps: list[str] = field(default_factory=list)
    """Who drove the car, from its ``Swap`` elements (driver changes), in order."""


@dataclass
class _Section:
    tag: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    drivers: list[_Driver] = field(default_factory=list)


def accepts(source: Source) -> bool:
    """An XML file whose root element is ``rFactorXML`` (looked for near the top)."""
    try:
        head = source.text[:4096]
        return (
            re.search(r"<rFactorXML[\s>/]", head) is not None
            and "<RaceResults" in (source.text[:65536])
        )
    except Exception:  # never raise from accepts
        return False


def read(source: Source) -> list[Session]:
    """One session per ``Practice`` / ``Qualify`` / ``Race`` / ``Warmup`` section with drivers."""
    header, sections = _parse(source)
    sessions: list[Session] = []
    for section in sections:
        if not section.drivers:
            continue
        match = _SECTION.match(section.tag)
        assert match is not None  # only matching tags are collected
        kind, base = _KINDS[match.group(1)]
        name = f"{base} {match.group(2)}" if match.group(2) else base
        date = _date(section.fields) or _date(header)
        sessions.append(
            Session(
                entries=_entries(source, section, kind),
                kind=kind,
                name=name,
                event=header.get("TrackEvent", ""),
                circuit=header.get("TrackVenue", "") or header.get("TrackCourse", ""),
                year=int(date[:4]) if date else None,
                date=date,
                format=FORMAT,
            )
        )
    if not sessions:
        found = ", ".join(section.tag for section in sections)
        what = f"its sections ({found}) list no Driver" if found else "it has no session section"
        raise GridFileError(
            source.path,
            None,
            f"rFactor 2 results XML without results: {what}; expected Practice, Qualify, Race "
            "or Warmup with Driver elements inside RaceResults",
        )
    return sessions


def _date(fields: dict[str, str]) -> str:
    """``TimeString`` (``2013/03/24 21:17:36``, the server's clock) as ``2013-03-24``, else the
    ``DateTime`` (Unix time) as a UTC date, else ``""``."""
    match = _DATE.match(fields.get("TimeString", ""))
    if match is not None:
        year, month, day = (int(group) for group in match.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    stamp = fields.get("DateTime", "").strip()
    if stamp.isdigit() and 0 < int(stamp) < 32_503_680_000:  # before the year 3000
        return datetime.fromtimestamp(int(stamp), tz=UTC).date().isoformat()
    return ""


def _entries(source: Source, section: _Section, kind: str) -> tuple[Entry, ...]:
    rows = []
    for index, found in enumerate(section.drivers):
        values = found.fields
        time = _best_lap(source, found)
        status = _status(values.get("FinishStatus", ""), kind)
        total = None
        if kind == RACE and not status:
            total = _seconds(source, found, "FinishTime")
        position = _integer(source, found, "Position")
        rows.append((found, values, time, status, total, position, index))
    if kind == RACE:
        rows.sort(key=lambda row: (row[5] is None or row[5] <= 0, row[5] or 0, row[6]))
    else:
        big = 1 << 62
        rows.sort(
            key=lambda row: (
                row[2] is None,
                row[2] if row[2] is not None else 0,
                row[5] if row[5] is not None and row[5] > 0 else big,
                row[6],
            )
        )
    entries = []
    for position, (found, values, time, status, total, _, _) in enumerate(rows, start=1):
        entries.append(
            make_entry(
                position,
                number=values.get("CarNumber", ""),
                drivers=_drivers(found),
                car=values.get("VehName", ""),
                team=values.get("TeamName", ""),
                time=time,
                line=found.line,
                klass=values.get("CarClass", ""),
                laps=_integer(source, found, "Laps"),
                total=total,
                status=status,
            )
        )
    return tuple(entries)


def _drivers(found: _Driver) -> list[str]:
    """The driver named by ``Name``, then those of its driver swaps, each once."""
    names: list[str] = []
    for name in [found.fields.get("Name", ""), *found.swaps]:
        tidy = " ".join(name.split())
        if tidy and tidy not in names:
            names.append(tidy)
    return names


def _status(text: str, kind: str) -> str:
    word = " ".join(text.split())
    mapped = _STATUS.get(word.casefold(), word)
    if kind == RACE:
        return mapped
    return "DSQ" if mapped == "DSQ" else ""


def _best_lap(source: Source, found: _Driver) -> int | None:
    return _seconds(source, found, "BestLapTime")


def _seconds(source: Source, found: _Driver, tag: str) -> int | None:
    """Seconds as rFactor 2 writes them (``122.1243``) → ticks; ``None`` when missing, zero or
    negative (``-1.0000`` is its "no time")."""
    text = found.fields.get(tag, "").strip()
    if not text or text.startswith("-"):
        return None
    try:
        ticks = ticks_from_seconds(text)
    except TimeFormatError:
        raise GridFileError(
            source.path,
            found.line,
            f"cannot read {tag} {text[:40]!r} of the Driver starting here: expected seconds "
            "such as 122.1243",
        ) from None
    return ticks or None


def _integer(source: Source, found: _Driver, tag: str) -> int | None:
    text = found.fields.get(tag, "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise GridFileError(
            source.path,
            found.line,
            f"cannot read {tag} {text[:40]!r} of the Driver starting here: expected a whole number",
        ) from None


def _parse(source: Source) -> tuple[dict[str, str], list[_Section]]:
    """Stream the XML once with expat, keeping only the fields read above."""
    text = _repaired(source.text.lstrip("\ufeff"))
    parser = expat.ParserCreate(encoding="utf-8")  # the text is decoded already
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    header: dict[str, str] = {}
    sections: list[_Section] = []
    stack: list[str] = []
    declared: dict[str, int] = {}
    chunks: list[str] = []
    keep: list[bool] = [False]  # whether character data of the current element is kept

    def refuse(message: str) -> NoReturn:
        raise _Refused(message)

    def doctype(name: str, system: str | None, public: str | None, internal: int) -> None:
        if system or public:
            refuse(
                f"refused: the DOCTYPE refers to an external DTD ({system or public!r}); "
                "this bot reads no file or address named inside a results file"
            )

    def entity(
        name: str,
        parameter: int,
        value: str | None,
        base: str | None,
        system: str | None,
        public: str | None,
        notation: str | None,
    ) -> None:
        if value is None or system or public or notation:
            refuse(
                f"refused: the entity {name!r} is external ({system or public!r}); this bot "
                "never reads a file or address named inside a results file"
            )
        if parameter:
            refuse(f"refused: the parameter entity %{name}; only plain-text entities are read")
        if any(mark in value for mark in "&%<"):
            refuse(
                f"refused: the entity {name!r} refers to other entities or holds markup "
                "(an entity-expansion bomb); only plain-text entities are read"
            )
        if len(value) > MAX_ENTITY_TEXT:
            refuse(
                f"refused: the entity {name!r} holds {len(value)} characters (at most "
                f"{MAX_ENTITY_TEXT}); long entities make entity-expansion bombs"
            )
        declared[name] = len(value)
        if len(declared) > MAX_ENTITIES:
            refuse(f"refused: more than {MAX_ENTITIES} entity declarations")

    def declaration(*_: object) -> None:
        refuse(
            "refused: the DTD declares more than entities (ATTLIST, ELEMENT or NOTATION); "
            "rFactor 2 declares only its rFEnt entity"
        )

    def external(*_: object) -> int:
        refuse("refused: a reference to an external entity")
        return 0

    def start(tag: str, attributes: dict[str, str]) -> None:
        depth = len(stack)
        if depth == 0:
            _check_expansion(text, declared)
            if tag != "rFactorXML":
                refuse(f"the root element is <{tag}>, not <rFactorXML>")
        elif depth == 2 and stack[1] == "RaceResults" and _SECTION.match(tag):
            sections.append(_Section(tag, parser.CurrentLineNumber))
        elif depth == 3 and tag == "Driver" and _in_section(stack, sections):
            sections[-1].drivers.append(_Driver(parser.CurrentLineNumber))
        stack.append(tag)
        keep[0] = _wanted(stack, sections)
        chunks.clear()

    def end(tag: str) -> None:
        if keep[0]:
            value = "".join(chunks).strip()
            depth = len(stack)
            if depth == 3:
                header.setdefault(tag, value)
            elif depth == 4:
                sections[-1].fields.setdefault(tag, value)
            elif depth == 5 and tag == "Swap":
                sections[-1].drivers[-1].swaps.append(value)
            elif depth == 5:
                sections[-1].drivers[-1].fields.setdefault(tag, value)
        chunks.clear()
        stack.pop()
        keep[0] = False

    def data(text: str) -> None:
        if keep[0]:
            chunks.append(text)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = declaration
    parser.NotationDeclHandler = declaration
    parser.AttlistDeclHandler = declaration
    parser.ElementDeclHandler = declaration
    parser.ExternalEntityRefHandler = external
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    try:
        parser.Parse(text, True)
    except _Refused as refused:
        raise GridFileError(source.path, parser.CurrentLineNumber, str(refused)) from None
    except expat.ExpatError as error:
        problem = expat.ErrorString(error.code) if error.code else str(error)
        raise GridFileError(
            source.path, error.lineno, f"invalid XML: {problem} (column {error.offset + 1})"
        ) from None
    finally:
        # The handlers close over the parser: break that cycle, or the parser's buffer (as
        # large as the file) lives until the cyclic collector runs, which loading pauses.
        for handler in _HANDLERS:
            setattr(parser, handler, None)
    return header, sections


_HANDLERS = (
    "StartDoctypeDeclHandler",
    "EntityDeclHandler",
    "UnparsedEntityDeclHandler",
    "NotationDeclHandler",
    "AttlistDeclHandler",
    "ElementDeclHandler",
    "ExternalEntityRefHandler",
    "StartElementHandler",
    "EndElementHandler",
    "CharacterDataHandler",
)


def _repaired(text: str) -> str:
    """The text with two slips rFactor 2 is known to make mended: a bare ``&`` (a vehicle file
    named ``FOO&BAR.VEH``) becomes ``&amp;``, and bytes after ``</rFactorXML>`` are dropped.
    Neither adds or removes a line, so error lines stay the file's own."""
    if _BARE_AMPERSAND.search(text):
        text = _BARE_AMPERSAND.sub("&amp;", text)
    end = text.rfind("</rFactorXML>")
    if end >= 0 and text[end + len("</rFactorXML>") :].strip():
        text = text[: end + len("</rFactorXML>")] + "\n"
    return text


def _in_section(stack: list[str], sections: list[_Section]) -> bool:
    """Whether the element at depth 3 of ``stack`` is the session section last collected."""
    return bool(sections) and stack[1] == "RaceResults" and stack[2] == sections[-1].tag


def _wanted(stack: list[str], sections: list[_Section]) -> bool:
    """Whether the element just opened is a field this reader keeps."""
    depth = len(stack)
    if depth < 3 or stack[0] != "rFactorXML" or stack[1] != "RaceResults":
        return False
    if depth == 3:
        return stack[2] in _HEADER_FIELDS
    if not _in_section(stack, sections):
        return False
    if depth == 4:
        return stack[3] in _SECTION_FIELDS
    return depth == 5 and stack[3] == "Driver" and stack[4] in _DRIVER_FIELDS


def _check_expansion(text: str, declared: dict[str, int]) -> None:
    """Refuse a file whose entity references would expand to more than the file's own size.

    Declared entities are plain text (checked as they are declared), so a reference expands to
    exactly its entity's text: counting the references bounds the expansion before any happens.
    """
    if not declared:
        return
    budget = len(text)
    total = 0
    for match in _ENTITY_REF.finditer(text):
        total += declared.get(match.group(1), 0)
        if total > budget:
            raise _Refused(
                "refused: entity references would expand past the file's own size "
                "(an entity-expansion bomb)"
            )
