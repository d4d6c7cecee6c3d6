"""What the table readers share: cells, header words, times, gaps and positions as results
pages and timing systems write them.

A table arrives as text with one delimiter: a tab (pasted from a browser), ``;`` (timing
systems), ``,`` (CSV, with quotes) or ``|`` (Markdown, outer pipes and the ``|---|`` line
optional). :func:`parse_table` finds the delimiter, skips a title or caption above the table,
assembles the header (a header may take two lines: ``Qualifying times`` over ``Q1 Q2 Q3``, or a
cell broken over two lines), and groups the body into records: one per entry, with the rows
that continue it (an engine under the chassis, a cell broken over lines by a copy from a
browser). Readers give each column a role (:data:`HEADER_WORDS`) and read the records.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.errors import GridFileError
from bot.core.parser import MAX_CARS, parse_position, split_row
from bot.core.readers.common import Source, loose_time
from bot.core.text import clip, fold
from bot.core.times import TimeFormatError, is_no_time

# Column roles.
POSITION = "position"
NUMBER = "number"
DRIVERS = "drivers"
CAR = "car"
TEAM = "team"
TIME = "time"
"""A time column that is the best lap in qualifying and the race time in a race."""
BEST = "best"
"""A column that is the best lap whatever the session (``Best lap``, ``Fastest lap``)."""
TOTAL = "total"
RETIRED = "retired"
"""``Time/Retired``: the race time, a gap, laps down or why the car stopped."""
GAP = "gap"
INTERVAL = "interval"
LAPS = "laps"
STATUS = "status"
CLASS = "class"
GRID = "grid"
POINTS = "points"
ENGINE = "engine"
Q1, Q2, Q3 = "q1", "q2", "q3"
PARTS = (Q1, Q2, Q3)

DELIMITERS = ("\t", "|", ";", ",")
"""Tried in this order; the first of equally good ones wins."""

DELIMITER_NAMES = {"\t": "tabs", "|": "'|'", ";": "';'", ",": "','"}


def _words(role: str, *names: str) -> dict[str, str]:
    return dict.fromkeys(names, role)


HEADER_WORDS: dict[str, str] = {
    **_words(
        POSITION,
        "pos", "position", "p", "place", "pl", "plc", "rank", "rang", "platz", "pla",
        "posizione", "posicion", "posicao", "positie", "plaats", "clt", "classement",
        "klassement", "classifica", "overall", "fin", "finish", "fin pos", "finish pos",
        "pos overall", "platzierung", "piazzamento",
    ),
    **_words(
        NUMBER,
        "no", "nr", "n", "number", "num", "nummer", "numero", "car no", "car nr", "car number",
        "car num", "startnummer", "startnr", "start no", "dorsal", "race no", "race number",
        "no car", "kart", "nr auto",
    ),
    **_words(
        DRIVERS,
        "driver", "drivers", "driver s", "qualifying driver", "pilote", "pilotes", "pilote s",
        "pilot", "pilots", "piloten", "fahrer", "fahrerin", "fahrer in", "fahrer innen", "pilota",
        "piloti", "piloto", "pilotos", "piloto s", "coureur", "coureurs", "coureur s", "rijder",
        "rijders", "equipage", "name", "names", "nom", "noms", "nome", "nomi", "nombre",
        "naam", "conductor", "conductores", "driver name", "drivers names", "driver names",
        "crew", "line up", "lineup",
    ),
    **_words(
        CAR,
        "car", "chassis", "vehicle", "vehicule", "voiture", "fahrzeug", "wagen", "vettura",
        "macchina", "coche", "carro", "auto", "automobile", "car model", "model", "modele",
        "modell", "modello", "modelo", "make", "constructor", "constructeur", "konstrukteur",
        "costruttore", "construtor", "marque", "marke", "marca", "merk", "chassis engine",
        "car make",
    ),
    **_words(
        TEAM,
        "team", "entrant", "equipe", "equipa", "equipo", "ecurie", "squadra", "scuderia",
        "escuderia", "rennstall", "team name", "concurrent", "bewerber", "teilnehmer", "inscrit",
        "teams", "team entrant", "entrant team", "entrants",
    ),
    **_words(
        TIME,
        "time", "temps", "chrono", "zeit", "tempo", "tiempo", "tijd", "times", "best time",
        "qualifying time", "quali time", "time qualifying", "result time",
    ),
    **_words(
        BEST,
        "best lap", "best lap time", "fastest lap", "fastest lap time", "lap time", "laptime",
        "best", "fastest", "fl time", "fl", "meilleur tour", "meilleur temps", "temps au tour",
        "schnellste runde", "beste runde", "bestzeit", "rundenzeit", "giro veloce",
        "miglior giro", "miglior tempo", "tempo giro", "vuelta rapida", "mejor vuelta",
        "mejor tiempo", "tiempo vuelta", "melhor volta", "melhor tempo", "tempo volta",
        "snelste ronde", "beste ronde", "snelste tijd", "beste tijd", "rondetijd",
    ),
    **_words(
        TOTAL,
        "total time", "race time", "total", "temps total", "gesamtzeit", "fahrzeit",
        "tempo totale", "tiempo total", "tempo total", "totale tijd", "duree", "elapsed",
    ),
    **_words(
        RETIRED,
        "time retired", "time or retired", "retired", "time status", "time ret", "temps abandon",
        "temps ecart", "zeit ausfall", "zeit ausfallgrund", "tempo ritiro", "tiempo retiro",
        "tempo abandono", "tijd uitval",
    ),
    **_words(
        GAP,
        "gap", "gap to leader", "gap first", "gap 1st", "gap to first", "behind", "diff",
        "difference", "ecart", "abstand", "ruckstand", "distacco", "diferencia", "diferenca",
        "verschil", "achterstand", "differenza", "gap leader", "dif",
    ),
    **_words(
        INTERVAL,
        "interval", "int", "gap prev", "gap previous", "intervallo", "intervalo",
        "intervalle", "interval to previous",
    ),
    **_words(
        LAPS,
        "laps", "tours", "runden", "giri", "vueltas", "voltas", "ronden", "laps completed",
        "laps comp",
    ),
    **_words(
        STATUS,
        "status", "statut", "etat", "stato", "estado", "reason", "motivo", "reden", "grund",
        "raison", "retirement", "reason out", "out",
    ),
    **_words(
        CLASS,
        "class", "classe", "klasse", "clase", "cat", "category", "categorie", "kategorie",
        "categoria", "cls", "class name", "car class",
    ),
    **_words(
        GRID,
        "grid", "start", "starting grid", "grid pos", "grid position", "final grid", "grille",
        "grille de depart", "depart", "startplatz", "start pos", "startposition", "griglia",
        "parrilla", "grelha", "largada", "startpositie", "start positie",
    ),
    **_words(POINTS, "pts", "points", "punkte", "punti", "puntos", "pontos", "punten", "pt"),
    **_words(ENGINE, "engine", "moteur", "motor", "motore", "motorisation"),
    **_words(Q1, "q1", "q1 time"),
    **_words(Q2, "q2", "q2 time"),
    **_words(Q3, "q3", "q3 time"),
}  # fmt: skip
"""Header text (folded: accents, case and punctuation dropped) → the column's role."""

_QUALIFYING_WORDS = ("qualifying", "qualification", "qualifica", "qualifikation", "quali")
_SPANNING = ("qualifying", "times", "zeiten", "temps", "tempi", "tiempos", "tempos", "tijden")

_NOTES = re.compile(r"\[[^\]]{0,20}\]|[¹²³⁴⁵⁶⁷⁸⁹⁰†‡§¶]+")
_SEPARATOR = re.compile(r"^:?-{1,}:?$")
_POSITION_SUFFIX = re.compile(r"^[Pp]?\s*(\d{1,4})\s*(?:º|°|ª|er|re|ème|eme|e|o|a|\.)$")
_NO_TIME = frozenset({"n/a", "na", "no time set", "no time", "notime", "nt", "--", "---", "dnq"})
_MINUTES_SECONDS = re.compile(r"^(\d+)m\s*(\d{1,2}(?:[.,]\d+)?)s?$")
_COMMA_DECIMAL = re.compile(r"(?<=\d),(?=\d{1,4}$)")
_SECONDS_MARK = re.compile("^(\\d+['’\u2032:]\\d{2})[\"\u2033](\\d{1,4})$")
_LAPS_DOWN = re.compile(
    r"^[+-]?\s*(\d+)\s*(?:l|laps?|lap\(s\)|tours?|tour\(s\)|runden?|giri|giro|vueltas?|voltas?"
    r"|ronden?|rondes?|vuelta\(s\)|volta\(s\))\.?$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^#?\s*([A-Za-z0-9](?:[A-Za-z0-9-]{0,19}))$")
_SHORT_NUMBER = re.compile(r"^#?\s*([0-9]{1,3}[A-Za-z]?|[A-Za-z]?[0-9]{1,3})$")
_NUMBER_BEFORE = re.compile(
    r"^(?:#|No\.?|Nr\.?|N[°º]\.?|Car)\s*(\d{1,3}[A-Za-z]?)\b\s*[:–-]?\s*(.+)$", re.IGNORECASE
)
_NUMBER_AFTER = re.compile(
    r"^(.+?)\s*(?:\(#?(\d{1,3}[A-Za-z]?)\)|(?:#|No\.\s?)(\d{1,3}[A-Za-z]?))$"
)
_LEADING_MARKER = re.compile(r"^[*†‡§#+^]+\s*")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TLA = re.compile(r"^(.*\S)\s+([A-Z]{3})$")
_FOOTER = re.compile(
    r"^(?:sources?|notes?|footnotes?|references?|quelle|quellen|fonte|fonti|fuente|fuentes|"
    r"bron|bronnen|107\s*%|fastest lap|pole position|bold|italics?|nb\b|\^)",
    re.IGNORECASE,
)

STATUS_WORDS: dict[str, str] = {
    **_words(
        "DNF",
        "dnf", "ret", "retired", "ab", "abandon", "abandonne", "abd", "aufgabe", "ausfall",
        "ausgefallen", "out", "rit", "ritirato", "ritirata", "abandono", "retirado", "desistencia",
        "desistiu", "uitgevallen", "opgave", "did not finish",
    ),
    **_words(
        "NC",
        "nc", "not classified", "non classe", "nicht klassiert", "nicht gewertet", "nk",
        "non classificato", "no clasificado", "nao classificado", "niet geklasseerd",
        "unclassified",
    ),
    **_words(
        "DSQ",
        "dsq", "dq", "disq", "disqualified", "ex", "excluded", "exc", "disqualifie",
        "disqualifiziert", "squalificato", "descalificado", "desclassificado", "gediskwalificeerd",
    ),
    **_words(
        "DNS",
        "dns", "did not start", "non partant", "nicht gestartet", "non partito", "no salio",
        "nao largou", "niet gestart",
    ),
    **_words("DNQ", "dnq", "did not qualify", "non qualifie", "nicht qualifiziert"),
    **_words("DNPQ", "dnpq"),
    **_words("WD", "wd", "withdrawn", "retire", "forfait"),
}  # fmt: skip
"""What a position or result cell may say instead of a place, folded → the status kept."""


# Cells.


def strip_notes(text: str) -> str:
    """A cell without footnote marks (``Time[1]``, ``Hamilton†``, ``Q3²``), spaces tidied."""
    return " ".join(_NOTES.sub(" ", text).split())


def _header_role(cell: str) -> str | None:
    text = strip_notes(cell)
    folded = fold(text)
    if "#" in text and folded in ("", "car", "no", "car no"):
        return NUMBER
    return HEADER_WORDS.get(folded)


KEPT_CELL = 40
"""Header and place cells up to this long have their role and status kept: the same few
(``Pos``, ``Driver``, ``1``, ``Ret``) come in every row of every file, and the answer depends
on nothing else. A longer cell is worked out each time, so that no file's megabyte cells are
held."""
_header_roles = functools.lru_cache(maxsize=4096)(_header_role)


def header_role(cell: str) -> str | None:
    """The role a header cell names: ``Pos.``, ``Nº``, ``Time[1]``, ``Pilote(s)``, ``#``..."""
    return _header_roles(cell) if len(cell) <= KEPT_CELL else _header_role(cell)


def says_qualifying(cells: Iterable[str]) -> bool:
    """Whether header cells speak of qualifying (``Qualifying time``, ``Quali``...)."""
    return any(word in fold(cell).split() for cell in cells for word in _QUALIFYING_WORDS)


def position_of(text: str) -> int | None:
    """``1``, ``1.``, ``1st``, ``P1``, ``1º``, ``1er``, ``1e`` → 1; anything else → ``None``."""
    cell = strip_notes(text)
    found = parse_position(cell)
    if found is not None:
        return found
    match = _POSITION_SUFFIX.match(cell)
    return int(match.group(1)) if match else None


def _status(text: str) -> str | None:
    return STATUS_WORDS.get(fold(strip_notes(text)))


_statuses = functools.lru_cache(maxsize=4096)(_status)


def status_of(text: str) -> str | None:
    """The status a cell says instead of a place (``Ret`` → ``DNF``, ``NC``, ``DSQ``...); kept
    as :func:`header_role`'s answers are."""
    return _statuses(text) if len(text) <= KEPT_CELL else _status(text)


def is_entry_start(text: str) -> bool:
    """Whether a cell can open an entry's row: a position or a status word."""
    return position_of(text) is not None or status_of(text) is not None


def no_time(text: str) -> bool:
    """Whether a time cell says there is no time (empty, ``-``, ``N/A``, ``No time set``...)."""
    cell = strip_notes(text)
    return is_no_time(cell) or cell.casefold() in _NO_TIME


def time_of(text: str) -> int:
    """A lap or race time as pages write it → ticks: ``1:23.456``, ``1'23.456``,
    ``1’23.456``, ``1\u203323.456`` (a double prime), ``1'23"456``, ``1m23.456s``,
    ``1:23,456``, ``4:00'04.690``, ``58.120s``. ``TimeFormatError`` for anything else."""
    cell = strip_notes(text)
    match = _MINUTES_SECONDS.match(cell)
    if match:
        whole, _dot, frac = match.group(2).replace(",", ".").partition(".")
        cell = f"{match.group(1)}:{whole:0>2}.{frac}"
    cell = _SECONDS_MARK.sub(r"\1.\2", cell)
    if cell.endswith("s") and cell[:-1].rstrip()[-1:].isdigit():
        cell = cell[:-1].rstrip()
    cell = _COMMA_DECIMAL.sub(".", cell)
    return loose_time(cell)


def gap_of(text: str) -> int:
    """A gap as pages write it → ticks: ``+0.112``, ``+0.112s``, ``28.869``, ``+1:02.345``,
    ``1'59.312``. ``TimeFormatError`` for anything else (``+1 lap`` is :func:`laps_down`)."""
    return time_of(strip_notes(text).removeprefix("+").strip())


def is_time(text: str) -> bool:
    """Whether a cell reads as a lap or race time."""
    try:
        time_of(text)
    except TimeFormatError:
        return False
    return True


def is_lap_time(text: str) -> bool:
    """Whether a cell reads as a time with minutes (``1:23.456``), not only seconds."""
    return is_time(text) and any(mark in text for mark in ":'’\u2032\u2033m")


def laps_down(text: str) -> int | None:
    """``+1 lap``, ``2 Laps``, ``+3 tours``, ``1 Runde``, ``-2 L`` → the laps; else ``None``."""
    match = _LAPS_DOWN.match(strip_notes(text))
    return int(match.group(1)) if match else None


def car_number(text: str) -> str | None:
    """A cell that is a car number (``7``, ``#7``, ``07``, ``7B``, ``1000``; letters, digits
    and ``-``, at most 20), without its ``#``."""
    match = _NUMBER.match(strip_notes(text))
    return match.group(1) if match else None


def looks_like_number(text: str) -> bool:
    """Whether a cell looks like a car number when no header says so: up to three digits,
    perhaps a letter (``7``, ``#7``, ``07``, ``7B``)."""
    return bool(_SHORT_NUMBER.match(strip_notes(text)))


def number_in(text: str) -> tuple[str, str]:
    """A car number written into a team or car cell, and the rest: ``No. 3 Team Peugeot
    Total`` → (``3``, ``Team Peugeot Total``); ``#9 Patrón Highcroft Racing``; ``Toyota
    TS050 Hybrid #8`` → (``8``, ``Toyota TS050 Hybrid``). (``""``, text) when it has none."""
    cell = " ".join(text.split())
    match = _NUMBER_BEFORE.match(cell)
    if match:
        return match.group(1), match.group(2).strip()
    match = _NUMBER_AFTER.match(cell)
    if match:
        return match.group(2) or match.group(3), match.group(1).strip(" -–,")
    return "", cell


def split_drivers(text: str) -> list[str]:
    """A driver cell's names: separated by ``/``, by line breaks (a cell copied from a page
    keeps them) or ``<br>``; footnote marks dropped (``Hamilton[1]``, ``Norris†``) but not a
    marker before a name (``*Romain Dumas``), and the three-letter code that results pages add
    after a name (``Lewis Hamilton HAM``)."""
    names: list[str] = []
    for part in re.split(r"[/\n]", _BREAK.sub("\n", text)):
        marker = _LEADING_MARKER.match(part.strip())
        lead = marker.group(0) if marker else ""
        name = strip_notes(part.strip()[len(lead) :])
        if name:
            names.append(lead + _without_code(name))
    return names


def _without_code(name: str) -> str:
    match = _TLA.match(name)
    if not match:
        return name
    head, code = match.group(1), match.group(2).casefold()
    words = fold(head).split()
    tails = ["".join(words[i:]) for i in range(len(words))]
    return head if any(word.startswith(code) for word in words + tails) else name


# Delimiters and lines.


def cells_of(line: str, delimiter: str) -> list[str]:
    """One line's cells, stripped (quotes honoured for ``;`` and ``,``)."""
    if delimiter == "|":
        return split_row(line) if "|" in line else [line.strip()]
    if delimiter in ";,":
        try:
            return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter), [])]
        except csv.Error:
            return [cell.strip() for cell in line.split(delimiter)]
    return [cell.strip() for cell in line.split(delimiter)]


def sniff(lines: Sequence[str], look: int = 300) -> str | None:
    """The delimiter most lines split on into two cells or more (at least two lines), or
    ``None`` for text that is not a table."""
    sample = [line for line in lines[: look * 2] if line.strip()][:look]
    best: tuple[int, str] | None = None
    for delimiter in DELIMITERS:
        score = sum(
            1 for line in sample if delimiter in line and len(_trim(cells_of(line, delimiter))) >= 2
        )
        if score >= 2 and (best is None or score > best[0]):
            best = (score, delimiter)
    return best[1] if best else None


def _trim(cells: list[str]) -> list[str]:
    """Cells without the empty ones at the end (a trailing ``;``, a pasted row's end)."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells if end == len(cells) else cells[:end]


@dataclass(frozen=True, slots=True)
class Line:
    """A line of the table (a record, for a CSV cell spanning lines): its number and cells,
    without empty cells at the end; ``[]`` for a blank line."""

    number: int
    cells: list[str]


def split_lines(source: Source, delimiter: str) -> list[Line]:
    """Every line of the file split into cells, blank lines kept (``cells == []``).

    ``;`` and ``,`` go through :mod:`csv` (a quoted cell may hold the delimiter or line
    breaks); tabs too when a cell starts with a quote (a spreadsheet's export); ``|`` through
    the Markdown splitter, ``|---|`` lines dropped."""
    lines = source.lines
    if len(lines) > MAX_LINES:
        raise GridFileError(
            source.path,
            MAX_LINES + 1,
            f"more than {MAX_LINES:,} lines: a results table has at most {MAX_CARS} cars",
        )
    if lines and lines[0].startswith("\ufeff"):
        lines = [lines[0].removeprefix("\ufeff"), *lines[1:]]
    quoted = delimiter in ";," or (
        delimiter == "\t" and any(line.startswith('"') or '\t"' in line for line in lines[:50])
    )
    if quoted:
        return _csv_lines(source.path, lines, delimiter)
    found: list[Line] = []
    for number, text in enumerate(lines, start=1):
        cells = _trim(cells_of(text, delimiter)) if text.strip() else []
        if delimiter == "|" and cells and all(_SEPARATOR.match(cell) for cell in cells):
            continue
        found.append(Line(number, cells))
    return found


MAX_LINES = 50_000
"""The most lines a results table may have (``MAX_CARS`` entries of a few lines each, with
room for blank lines, notes and a title)."""

_MAX_RECORD_LINES = 12
"""A quoted cell spanning more lines than this is a quote left open."""


def _csv_lines(path: Path, lines: Sequence[str], delimiter: str) -> list[Line]:
    reader = csv.reader(io.StringIO("\n".join(lines), newline=""), delimiter=delimiter)
    found: list[Line] = []
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            name = DELIMITER_NAMES[delimiter]
            raise GridFileError(path, start, f"malformed {name} row: {error}") from None
        end = reader.line_num
        if end - start >= _MAX_RECORD_LINES:
            raise GridFileError(
                path, start, 'a quoted cell opened in this row is never closed: end it with "'
            )
        found.append(Line(start, _trim([cell.strip() for cell in record])))
        start = end + 1
    return found


# Tables.


@dataclass
class Record:
    """An entry's row and the rows that continue it (``more``: line, cells)."""

    line: int
    cells: list[str]
    more: list[tuple[int, list[str]]] = field(default_factory=list)


@dataclass
class Table:
    """A table as read: delimiter, header (``[]`` without one), body lines, and what stood
    above it (a title, a caption)."""

    path: Path
    delimiter: str
    header: list[str]
    header_line: int | None
    sub_header: list[str]
    """A second header line naming what continuation rows hold (``Engine``)."""
    body: list[Line]
    width: int
    preamble: list[str]

    def shape(self) -> str:
        """How rows are expected to look, for errors."""
        if self.header_line:
            return f"as in the header on line {self.header_line}"
        return "as in the other rows"


def parse_table(source: Source, delimiter: str | None = None) -> Table:
    """The table in a file: header (if any) and body, the title above it skipped.

    The first body row is the first row of two cells or more that starts with a position or a
    status word (``1``, ``1.``, ``1st``, ``P1``, ``DNF``), or else holds a lap time. The lines
    right above it, up to a blank line, are the header; a line of one cell above those is a
    title. A ``GridFileError`` when there is no such row."""
    path = source.path
    chosen = delimiter or sniff(source.lines)
    if chosen is None:
        raise GridFileError(
            path,
            _first_line(source),
            "expected a table: rows of cells separated by tabs, ';', ',' or '|', with a header "
            "such as Pos, No, Driver, Team, Time",
        )
    lines = split_lines(source, chosen)
    first = _first_data(lines)
    if first is None:
        where = next((line for line in lines if len(line.cells) >= 2), None)
        shown = clip(" ".join(where.cells) if where else "", 60)
        raise GridFileError(
            path,
            where.number if where else _first_line(source),
            "expected rows starting with a position (1, 1., 1st or P1) or holding a lap time "
            f"(1:23.456) under a header such as Pos, No, Driver, Team, Time; found {shown!r}",
        )
    header_rows, preamble = _header_block(lines, first)
    for row in header_rows:
        if any(is_lap_time(cell) for cell in row.cells):
            raise GridFileError(
                path,
                row.number,
                "expected a results row starting with a position (1, 1., 1st, P1) or a status "
                f"(DNF, NC, DSQ); found {clip(row.cells[0], 30)!r}",
            )
    data_width = _modal_width(lines[first:])
    header: list[str] = []
    sub_header: list[str] = []
    header_line = None
    if header_rows:
        header_line = header_rows[0].number
        header, sub_header = _assemble(header_rows, data_width)
    width = len(header) if header else data_width
    return Table(
        path=path,
        delimiter=chosen,
        header=header,
        header_line=header_line,
        sub_header=sub_header,
        body=lines[first:],
        width=width,
        preamble=preamble,
    )


def _first_line(source: Source) -> int | None:
    return next((i for i, line in enumerate(source.lines, start=1) if line.strip()), None)


def _first_data(lines: list[Line]) -> int | None:
    for index, line in enumerate(lines):
        if len(line.cells) >= 2 and is_entry_start(line.cells[0]) and _not_header(line.cells):
            return index
    for index, line in enumerate(lines):
        if len(line.cells) >= 2 and any(is_lap_time(cell) for cell in line.cells):
            return index
    return None


def _not_header(cells: list[str]) -> bool:
    named = sum(1 for cell in cells if header_role(cell))
    return named < max(2, len(cells) // 2)


def _header_block(lines: list[Line], first: int) -> tuple[list[Line], list[str]]:
    """The header's lines right above the first data row, and the text above them."""
    index = first - 1
    while index >= 0 and not lines[index].cells and first - index <= 2:
        index -= 1
    block: list[Line] = []
    while index >= 0 and lines[index].cells:
        block.insert(0, lines[index])
        index -= 1
    rows = [i for i, line in enumerate(block) if len(line.cells) >= 2]
    named = [
        i for i in rows if any(header_role(cell) not in (None, *PARTS) for cell in block[i].cells)
    ]
    start = named[0] if named else rows[0] if rows else None
    above = [" ".join(line.cells) for line in lines[: index + 1] if line.cells]
    if start is None:
        return [], above + [" ".join(line.cells) for line in block]
    return block[start:], above + [" ".join(line.cells) for line in block[:start]]


def _modal_width(lines: list[Line]) -> int:
    counts = Counter(
        len(line.cells)
        for line in lines[:400]
        if len(line.cells) >= 2 and is_entry_start(line.cells[0])
    )
    if not counts:
        counts = Counter(len(line.cells) for line in lines[:400] if len(line.cells) >= 2)
    if not counts:
        return 0
    top = max(counts.values())
    return max(width for width, count in counts.items() if count == top)


def _assemble(rows: list[Line], data_width: int) -> tuple[list[str], list[str]]:
    """One header from its lines: ``Q1 Q2 Q3`` under the cell they split, a cell broken over
    two lines joined; a last line when the header is already whole names what continuation
    rows hold."""
    header = list(rows[0].cells)
    sub: list[str] = []
    for row in rows[1:]:
        cells = row.cells
        roles = [header_role(cell) for cell in cells]
        if all(role in PARTS for role in roles):
            spanning = next(
                (
                    i
                    for i, cell in enumerate(header)
                    if any(word in fold(cell).split() for word in _SPANNING)
                    and header_role(cell) not in (POSITION, NUMBER, DRIVERS, CAR, TEAM)
                ),
                None,
            )
            if spanning is not None:
                header[spanning : spanning + 1] = cells
                continue
        if len(header) < data_width and len(header) + len(cells) - 1 <= data_width:
            header[-1] = f"{header[-1]} {cells[0]}".strip()
            header.extend(cells[1:])
            continue
        sub = list(cells)
    return header, sub


def is_footer(cells: list[str], after_blank: bool) -> bool:
    """A line under the table that is not part of it: ``Source: ...``, ``107% time: ...``,
    notes, or a single cell after a blank line."""
    if len(cells) != 1:
        return False
    return after_blank or bool(_FOOTER.match(cells[0])) or ": " in cells[0]


def group(
    table: Table,
    starts_entry: Callable[[list[str]], bool],
    *,
    continuations: bool = True,
    joins: Callable[[int], bool] = lambda _column: True,
) -> list[Record]:
    """The body's records: a row that ``starts_entry`` opens a record; a row that does not
    continues the last one. A record's row shorter than the table is first joined with the
    lines after it that do not start an entry (a cell broken over lines by a copy from a
    page) when ``joins`` says its last cell's column may hold line breaks, else padded. Rows
    wider than the table are an error; so is a continuation row when ``continuations`` is
    false. The table ends at a footer (:func:`is_footer`)."""
    records: list[Record] = []
    width = table.width
    body = table.body
    index = 0
    after_blank = False
    while index < len(body):
        line = body[index]
        index += 1
        cells = line.cells
        if not cells:
            after_blank = True
            continue
        if records and is_footer(cells, after_blank):
            break
        after_blank = False
        if len(cells) > width:
            raise _too_wide(table, line)
        if starts_entry(cells):
            cells = list(cells)
            while len(cells) < width and index < len(body):
                following = body[index].cells
                if (
                    not following
                    or not joins(len(cells) - 1)
                    or starts_entry(following)
                    or len(cells) + len(following) - 1 > width
                    or is_footer(following, False)
                ):
                    break
                cells[-1] = f"{cells[-1]}\n{following[0]}" if cells[-1] else following[0]
                cells.extend(following[1:])
                index += 1
            if len(cells) * 2 < width:
                raise GridFileError(
                    table.path,
                    line.number,
                    f"expected {width} cells {table.shape()}, found {len(cells)}",
                )
            records.append(Record(line.number, cells + [""] * (width - len(cells))))
            if len(records) > MAX_CARS:
                raise GridFileError(table.path, line.number, f"more than {MAX_CARS} cars")
            continue
        if not records or not continuations:
            raise GridFileError(
                table.path,
                line.number,
                f"expected a results row starting with a position (1, 1., 1st, P1) or a status "
                f"(DNF, NC, DSQ), {table.shape()}; found {clip(' | '.join(cells), 60)!r}",
            )
        records[-1].more.append((line.number, list(cells)))
    return records


def _too_wide(table: Table, line: Line) -> GridFileError:
    return GridFileError(
        table.path,
        line.number,
        f"expected {table.width} cells {table.shape()}, found {len(line.cells)}: "
        f"is a {DELIMITER_NAMES[table.delimiter]} inside a cell?",
    )


# Classification order.


def assign_positions(path: Path, rows: Sequence[tuple[int | None, int]]) -> list[int]:
    """The classification order of rows given as (position or ``None``, line): rows with a
    position by position (they must run 1..k), then the others as listed. Returns the rows'
    indexes in that order; a ``GridFileError`` on a repeated or missing position."""
    seen: dict[int, int] = {}
    placed: list[tuple[int, int]] = []
    rest: list[int] = []
    for index, (position, line) in enumerate(rows):
        if position is None:
            rest.append(index)
            continue
        if position in seen:
            raise GridFileError(
                path, line, f"duplicate position {position} (already on line {seen[position]})"
            )
        seen[position] = line
        placed.append((position, index))
    placed.sort()
    for expected, (position, index) in enumerate(placed, start=1):
        if position != expected:
            raise GridFileError(
                path,
                rows[index][1],
                f"positions must run 1..{len(placed)} without gaps: found {position}, "
                f"but {expected} is missing",
            )
    return [index for _position, index in placed] + rest


def check_numbers(path: Path, rows: Iterable[tuple[str, int]]) -> None:
    """A ``GridFileError`` when two rows (car number, line) share a car number."""
    seen: dict[str, int] = {}
    for number, line in rows:
        key = number.strip().lstrip("#").casefold()
        if not key:
            continue
        if key in seen:
            raise GridFileError(
                path, line, f"duplicate car number #{number} (already on line {seen[key]})"
            )
        seen[key] = line
