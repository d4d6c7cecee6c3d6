"""Load grid and results files into a :class:`Catalog`.

Gridbot's own Markdown and CSV grids (with optional TOML metadata) are read by
:mod:`bot.core.parser`; every other results format by its reader in :mod:`bot.core.readers`.
A file with several sessions (practice, qualifying, race) yields one grid for each, served
under the file's key and the session's name: ``2021-bathurst/qualifying``."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import gc
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.core.catalog import Catalog
from bot.core.complete import prepare_grid
from bot.core.csvgrid import csv_rows
from bot.core.errors import GridFileError
from bot.core.model import KINDS, OPERATOR, QUALIFYING, Grid, GridMeta
from bot.core.parser import (
    TomlBlock,
    check_entries,
    column_names,
    decode,
    grid_from_rows,
    is_header,
    markdown_rows,
    parse_position,
    read_toml,
    split_row,
)
from bot.core.readers import read_sessions
from bot.core.readers.common import SESSION_NAMES, Session, Source, decode_text, kind_of
from bot.core.text import fold

GRID_SUFFIXES = (".md", ".csv", ".tsv", ".json", ".xml")
"""What a grid or results file's name ends with (any case); a ``.toml`` file is only ever
metadata."""
SESSION_WORDS = ("pre qualifying", "qualifying", "practice", "warm up", "warmup", "race")
"""Session names recognised at the end of a file name, longest first."""
PARSER_VERSION = 2
"""Raise it when the parser reads any file differently (accepts, refuses, or finds other
values): every file a server stored is then parsed again on its first use, so one that the
parser refuses now shows as unavailable instead of failing a lookup."""
MAX_FILE_BYTES = 8 * 1024 * 1024
"""The largest grid file served, anywhere: data folder, ``/import`` or a watched folder."""


def meta_from_name(path: Path) -> GridMeta:
    """A readable name from a file name: ``2003-1000km-le-mans-qualifying.md``."""
    words = re.split(r"[-_\s]+", path.stem)
    year = None
    if words and re.fullmatch(r"(19|20)\d\d", words[0]):
        year = int(words.pop(0))
    session = ""
    text = " ".join(words)
    for word in SESSION_WORDS:
        lowered = text.lower()
        if lowered == word or lowered.endswith(" " + word):
            session = text[-len(word) :].title()
            text = text[: -len(word)].strip()
            break
    event = " ".join(w if w.isupper() or w[:1].isdigit() else w.title() for w in text.split())
    return GridMeta(
        event=event or path.stem,
        session=session,
        year=year,
        source=path,
        kind=kind_of(session) or QUALIFYING,
    )


def read_sidecar(path: Path) -> bytes | None:
    """The bytes of the ``<stem>.toml`` beside a grid file, if there is one."""
    sidecar = path.with_suffix(".toml")
    if not sidecar.is_file():
        return None
    try:
        return sidecar.read_bytes()
    except OSError as error:
        raise GridFileError(sidecar, None, f"cannot read the file: {error.strerror}") from None


def read_meta(
    path: Path,
    front_matter: TomlBlock | None = None,
    *,
    sidecar: bytes | None = None,
    beside: bool = True,
    session: Session | None = None,
) -> GridMeta:
    """A grid's metadata, key by key: the sidecar ``<stem>.toml`` (its bytes, or read from
    beside the file when ``beside``), else the front matter, else what a results file says of
    its ``session``, else what the file name says. ``[legend]`` entries merge marker by marker.
    """
    derived = meta_from_name(path)
    values: dict[str, Any] = _session_values(session) if session is not None else {}
    legend: dict[str, str] = {}
    if sidecar is None and beside:
        sidecar = read_sidecar(path)
    layers = [(front_matter, path)]
    if sidecar is not None:
        toml_path = path.with_suffix(".toml")
        layers.append((read_toml(decode(sidecar, toml_path), toml_path), toml_path))
    for block, source in layers:
        if block is not None:
            found = _meta_values(block, source)
            legend |= found.pop("legend", {})
            values |= found
    name = values.get("session", derived.session)
    kind = values.get("kind") or kind_of(name) or QUALIFYING
    return GridMeta(
        event=values.get("event", derived.event),
        session=name,
        year=values.get("year", derived.year),
        circuit=values.get("circuit", ""),
        date=values.get("date", ""),
        legend=MappingProxyType(legend),
        source=path,
        kind=kind,
    )


def _session_values(session: Session) -> dict[str, Any]:
    """What a results file says of a session, as metadata keys (only those it says)."""
    found: dict[str, Any] = {}
    name = " ".join(session.name.split())
    kind = session.kind or kind_of(name)
    if kind and (not name or name.isupper() or len(name) <= 3):
        name = SESSION_NAMES[kind]  # "Q", "QUALIFY", "FP" as people say them
    if name:
        found["session"] = name
    if kind:
        found["kind"] = kind
    for key in ("event", "circuit", "date"):
        value = " ".join(getattr(session, key).split())
        if value:
            found[key] = value
    year = session.year or (int(session.date[:4]) if session.date[:4].isdigit() else None)
    if year:
        found["year"] = year
    return found


def _meta_values(block: TomlBlock, source: Path) -> dict[str, Any]:
    """The metadata keys a TOML block sets, checked; errors name the key's line."""
    data, found = block.data, {}
    if "kind" in data and data["kind"] not in KINDS:
        raise GridFileError(
            source, block.line_of("kind"), f"'kind' must be one of: {', '.join(KINDS)}"
        )
    for key in ("event", "session", "circuit", "kind"):
        if key in data:
            if not isinstance(data[key], str):
                raise GridFileError(source, block.line_of(key), f"'{key}' must be a string")
            found[key] = data[key]
    if "date" in data:
        if not isinstance(data["date"], str | datetime.date):
            raise GridFileError(
                source, block.line_of("date"), "'date' must be a date (2003-06-14) or a string"
            )
        found["date"] = str(data["date"])
    if "year" in data:
        year = data["year"]
        if isinstance(year, bool) or not isinstance(year, int):
            raise GridFileError(source, block.line_of("year"), "'year' must be a whole number")
        found["year"] = year
    if "legend" in data:
        legend = data["legend"]
        if not isinstance(legend, dict) or not all(isinstance(v, str) for v in legend.values()):
            raise GridFileError(
                source, block.line_of("legend"), "'legend' must be a table of marker = \"meaning\""
            )
        found["legend"] = dict(legend)
    return found


def load_grid(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Grid:
    """Parse a file of one session (and its sidecar); see :func:`load_grids`."""
    return _only(path, load_grids(path, max_bytes=max_bytes))


def load_grids(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> tuple[Grid, ...]:
    """Parse one grid or results file (and its sidecar): a grid per session. A
    ``GridFileError`` names the file and line of any fault."""
    if path.suffix.lower() == ".toml":
        raise GridFileError(path, None, "a .toml file is metadata for a grid, not a grid")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise GridFileError(path, None, too_large(size, max_bytes))
        data = path.read_bytes()
    except OSError as error:
        raise GridFileError(path, None, f"cannot read the file: {error.strerror}") from None
    return parse_grids(data, path, sidecar=read_sidecar(path), max_bytes=max_bytes)


def _only(path: Path, grids: tuple[Grid, ...]) -> Grid:
    if len(grids) != 1:
        sessions = ", ".join(grid.meta.session for grid in grids)
        raise GridFileError(path, None, f"the file has {len(grids)} sessions ({sessions})")
    return grids[0]


def too_large(size: int, limit: int) -> str:
    return f"the file is {mebibytes(size)}; a grid file can be at most {mebibytes(limit)}"


def mebibytes(size: int) -> str:
    """``8 MiB``, ``1.5 MiB``, ``12 KiB``: a size as people read it."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KiB"
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MiB"


def parse_source(
    data: bytes,
    path: Path,
    *,
    sidecar: bytes | None = None,
    library: str = OPERATOR,
    max_bytes: int = MAX_FILE_BYTES,
) -> Grid:
    """Parse a file of one session; see :func:`parse_grids`."""
    grids = parse_grids(data, path, sidecar=sidecar, library=library, max_bytes=max_bytes)
    return _only(path, grids)


def parse_grids(
    data: bytes,
    path: Path,
    *,
    sidecar: bytes | None = None,
    library: str = OPERATOR,
    max_bytes: int = MAX_FILE_BYTES,
) -> tuple[Grid, ...]:
    """Parse a grid or results file's bytes into a grid per session; ``path`` names it in
    errors and gives the metadata its defaults. Each grid's :attr:`~Grid.digest` identifies
    these bytes under this name (and the session's place in the file)."""
    if len(data) > max_bytes:
        raise GridFileError(path, None, too_large(len(data), max_bytes))
    source = Source(path, decode_text(data, path))
    grids: list[Grid]
    if native(source):
        grids = [_native_grid(source, sidecar)]
    else:
        grids = []
        for session in read_sessions(source):
            meta = read_meta(path, sidecar=sidecar, beside=False, session=session)
            entries = list(session.entries)
            grids.append(check_entries(path, entries, meta, unique_numbers=session.unique_numbers))
        if not grids:
            raise GridFileError(path, None, "the file has no session with any car in it")
    digest = hashlib.sha256(f"{library}\0{path.name}\0".encode())
    digest.update(data)
    digest.update(b"\0" + (sidecar or b""))
    for index, grid in enumerate(grids):
        if library != grid.meta.library:
            grid.meta = dataclasses.replace(grid.meta, library=library)
        session_digest = digest.copy()
        if index:
            session_digest.update(f"\0{index}".encode())
        grid.digest = session_digest.hexdigest()
    return tuple(grids)


def native(source: Source) -> bool:
    """Whether a file is one of Gridbot's own Markdown or CSV grids (README: data files): TOML
    front matter, or a first row that is the six-column header or a headerless grid row.
    Decided on the first row alone, so that a fault further down is reported as one."""
    if source.family != "table":
        return False
    found_line = _FIRST_LINE.search(source.text)  # not source.lines: that splits the whole file
    first = found_line.group(0).strip() if found_line else ""
    if first in ("", "+++", "---"):
        return True  # empty, or front matter: only Gridbot's own grids have it
    if first.startswith("|"):
        cells = split_row(first)
    elif source.path.suffix.lower() == ".csv" and first.count(",") >= 5:
        cells = next(csv.reader([first]))
    else:
        return False
    found = column_names(cells)
    if is_header(cells, found):
        race = any(fold(cell) in RACE_COLUMNS for cell in cells)
        return _has_native_columns(found) and not race
    return first.startswith("|") and parse_position(cells[0]) is not None and len(cells) == 6


_FIRST_LINE = re.compile(r"[^\s\ufeff][^\n]*")

RACE_COLUMNS = frozenset(
    {"laps", "status", "gap", "interval", "retired", "time retired", "total time", "race time"}
)
"""Header words of a race classification: such a table goes to the results readers, which
read laps, gaps and statuses (and entries spread over two rows), even when it also has the
six columns of Gridbot's own grids."""


def _has_native_columns(found: dict[str, int]) -> bool:
    return {"position", "number", "drivers", "car", "team", "time"} <= found.keys()


def _native_grid(source: Source, sidecar: bytes | None) -> Grid:
    path = source.path
    if path.suffix.lower() == ".csv":
        meta = read_meta(path, sidecar=sidecar, beside=False)
        return grid_from_rows(csv_rows(source.text, path), path, meta, header_required=True)
    front_matter, rows = markdown_rows(source.text, path)
    meta = read_meta(path, front_matter, sidecar=sidecar, beside=False)
    return grid_from_rows(rows, path, meta)


def session_keys(key: str, grids: tuple[Grid, ...]) -> list[tuple[str, Grid]]:
    """The key each of a file's grids is served under: the file's own for a file of one
    session, else the file's key and the session's name (``race``, ``race-2``)."""
    if len(grids) == 1:
        return [(key, grids[0])]
    keyed: list[tuple[str, Grid]] = []
    taken: set[str] = set()
    for grid in grids:
        base = "-".join(fold(grid.meta.session).split()) or "session"
        name, copy = base, 1
        while name in taken:
            copy += 1
            name = f"{base}-{copy}"
        taken.add(name)
        keyed.append((f"{key}/{name}", grid))
    return keyed


def grid_files(root: Path) -> Iterator[Path]:
    """Every grid file under ``root`` (or ``root`` itself), in name order; see
    :func:`skipped_why` for the files left out."""
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not skipped_why(path, root):
            yield path


SIDECAR = "metadata for the grid beside it"


def skipped_why(path: Path, root: Path) -> str:
    """Why a file under a data folder is not read as a grid, or ``""`` when it is."""
    if any(part.startswith(".") for part in path.relative_to(root).parts):
        return "hidden (its name or a folder's starts with '.')"
    suffix = path.suffix.lower()
    if suffix == ".toml":
        beside = [path.with_suffix(s) for s in GRID_SUFFIXES]
        if any(p.is_file() for p in beside):
            return SIDECAR
        return "a .toml file is metadata for a grid, and no grid of that name is beside it"
    if path.stem.casefold() in ("readme", "license", "changelog"):
        return "a document, not a grid"
    if suffix not in GRID_SUFFIXES:
        return f"not a grid or results file name ({', '.join(GRID_SUFFIXES)})"
    return ""


def grid_key(path: Path, root: Path) -> str:
    """The key a grid is served under: its path under the data directory, without suffix."""
    base = root if root.is_dir() else root.parent
    return path.relative_to(base).with_suffix("").as_posix()


def load_catalog(
    root: Path, default_event: str | None = None, max_bytes: int = MAX_FILE_BYTES
) -> Catalog:
    """Parse every grid under ``root``; all or nothing."""
    if not root.exists():
        raise GridFileError(root, None, "the data directory does not exist")
    grids: dict[str, Grid] = {}
    with collector_paused():
        for path in grid_files(root):
            for key, grid in session_keys(
                grid_key(path, root), load_grids(path, max_bytes=max_bytes)
            ):
                if key in grids:
                    raise GridFileError(path, None, _clash(key, path, grids[key]))
                grids[key] = prepare_grid(grid)
    if not grids:
        raise GridFileError(root, None, f"no grid files ({', '.join(GRID_SUFFIXES)}) found")
    return Catalog(MappingProxyType(grids), (default_event,) if default_event else ())


@contextmanager
def collector_paused() -> Iterator[None]:
    """Loading makes many objects and no reference cycles; the cyclic garbage collector would
    rescan the growing heap over and over (a third of the load time at 1,000 grids).

    The objects made meanwhile are then frozen (moved out of the collector's sight) before it
    is enabled again: otherwise its next young collection walks every one of them while holding
    the GIL, and the older ones walk them again later: after loading 10,000 grids in a worker
    thread, that stalled the event loop for 0.3 to 0.7 s (bench/stall_bench.py). Grids have no
    cycles, so reference counting still frees them when a reload replaces them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _clash(key: str, path: Path, first: Grid) -> str:
    other = first.meta.source.name if first.meta.source else key
    return f"{path.name} and {other} would both be the grid {key!r}: rename one"
