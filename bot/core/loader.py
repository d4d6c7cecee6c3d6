"""Load grid files (Markdown or CSV, with optional TOML metadata) into a :class:`Catalog`."""

from __future__ import annotations

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
from bot.core.model import OPERATOR, Grid, GridMeta
from bot.core.parser import TomlBlock, decode, grid_from_rows, markdown_rows, read_toml

GRID_SUFFIXES = (".md", ".csv")
"""What a grid file's name ends with (any case); a ``.toml`` file is only ever metadata."""
SESSION_WORDS = ("pre qualifying", "qualifying", "practice", "warm up", "warmup", "race")
"""Session names recognised at the end of a file name, longest first."""
PARSER_VERSION = 1
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
    return GridMeta(event=event or path.stem, session=session, year=year, source=path)


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
) -> GridMeta:
    """A grid's metadata, key by key: the sidecar ``<stem>.toml`` (its bytes, or read from
    beside the file when ``beside``), else the front matter, else what the file name says.
    ``[legend]`` entries merge marker by marker.
    """
    derived = meta_from_name(path)
    values: dict[str, Any] = {}
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
    return GridMeta(
        event=values.get("event", derived.event),
        session=values.get("session", derived.session),
        year=values.get("year", derived.year),
        circuit=values.get("circuit", ""),
        date=values.get("date", ""),
        legend=MappingProxyType(legend),
        source=path,
    )


def _meta_values(block: TomlBlock, source: Path) -> dict[str, Any]:
    """The metadata keys a TOML block sets, checked; errors name the key's line."""
    data, found = block.data, {}
    for key in ("event", "session", "circuit"):
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
    """Parse one grid file (and its sidecar); a ``GridFileError`` names the file and line of
    any fault. ``.csv`` is read as CSV, anything else as Markdown (a single data file may have
    any name).
    """
    if path.suffix.lower() == ".toml":
        raise GridFileError(path, None, "a .toml file is metadata for a grid, not a grid")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise GridFileError(path, None, too_large(size, max_bytes))
        data = path.read_bytes()
    except OSError as error:
        raise GridFileError(path, None, f"cannot read the file: {error.strerror}") from None
    return parse_source(data, path, sidecar=read_sidecar(path), max_bytes=max_bytes)


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
    """Parse a grid file's bytes; ``path`` names it in errors and gives the metadata its
    defaults. The grid's :attr:`~Grid.digest` identifies these bytes under this name."""
    if len(data) > max_bytes:
        raise GridFileError(path, None, too_large(len(data), max_bytes))
    text = decode(data, path)
    if path.suffix.lower() == ".csv":
        meta = read_meta(path, sidecar=sidecar, beside=False)
        grid = grid_from_rows(csv_rows(text, path), path, meta, header_required=True)
    else:
        front_matter, rows = markdown_rows(text, path)
        meta = read_meta(path, front_matter, sidecar=sidecar, beside=False)
        grid = grid_from_rows(rows, path, meta)
    if library != grid.meta.library:
        grid.meta = dataclasses.replace(grid.meta, library=library)
    digest = hashlib.sha256(f"{library}\0{path.name}\0".encode())
    digest.update(data)
    digest.update(b"\0" + (sidecar or b""))
    grid.digest = digest.hexdigest()
    return grid


def grid_files(root: Path) -> Iterator[Path]:
    """Every grid file under ``root`` (or ``root`` itself), in name order, skipping dot-files."""
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(root).parts)
        if path.suffix.lower() in GRID_SUFFIXES and not hidden and path.is_file():
            yield path


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
    with _collector_paused():
        for path in grid_files(root):
            key = grid_key(path, root)
            if key in grids:
                raise GridFileError(path, None, _clash(key, path, grids[key]))
            grids[key] = prepare_grid(load_grid(path, max_bytes=max_bytes))
    if not grids:
        raise GridFileError(root, None, f"no grid files ({', '.join(GRID_SUFFIXES)}) found")
    return Catalog(MappingProxyType(grids), (default_event,) if default_event else ())


@contextmanager
def _collector_paused() -> Iterator[None]:
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
