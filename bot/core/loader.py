"""Load grid files (and their optional TOML sidecars) from disk into a :class:`Catalog`."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType

from bot.core.catalog import Catalog
from bot.core.errors import GridFileError
from bot.core.model import Grid, GridMeta
from bot.core.parser import decode, parse_grid_text

GRID_SUFFIXES = (".md",)
SESSION_WORDS = ("pre qualifying", "qualifying", "practice", "warm up", "warmup", "race")
"""Session names recognised at the end of a file name, longest first."""
MAX_FILE_BYTES = 1024 * 1024


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


def read_meta(path: Path) -> GridMeta:
    """Metadata from ``<stem>.toml`` beside the grid file, else derived from the file name."""
    derived = meta_from_name(path)
    sidecar = path.with_suffix(".toml")
    if not sidecar.is_file():
        return derived
    try:
        data = tomllib.loads(decode(sidecar.read_bytes(), sidecar))
    except tomllib.TOMLDecodeError as error:
        line = getattr(error, "lineno", None)
        raise GridFileError(sidecar, line, f"invalid TOML: {error}") from None
    legend = data.get("legend", {})
    year = data.get("year", derived.year)
    if not isinstance(legend, dict) or not all(isinstance(v, str) for v in legend.values()):
        raise GridFileError(sidecar, None, "'legend' must be a table of marker = \"meaning\"")
    if year is not None and not isinstance(year, int):
        raise GridFileError(sidecar, None, "'year' must be a whole number")
    return GridMeta(
        event=str(data.get("event", derived.event)),
        session=str(data.get("session", derived.session)),
        year=year,
        circuit=str(data.get("circuit", "")),
        date=str(data.get("date", "")),
        legend=MappingProxyType(dict(legend)),
        source=path,
    )


def load_grid(path: Path) -> Grid:
    """Parse one grid file; a ``GridFileError`` names the file and line of any fault."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise GridFileError(path, None, f"cannot read the file: {error.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise GridFileError(path, None, f"the file is larger than {MAX_FILE_BYTES} bytes")
    return parse_grid_text(decode(data, path), path, read_meta(path))


def grid_files(root: Path) -> Iterator[Path]:
    """Every grid file under ``root`` (or ``root`` itself), in name order, skipping dot-files."""
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(root).parts)
        if path.is_file() and path.suffix in GRID_SUFFIXES and not hidden:
            yield path


def load_catalog(root: Path, default_event: str | None = None) -> Catalog:
    """Parse every grid under ``root``; all or nothing."""
    if not root.exists():
        raise GridFileError(root, None, "the data directory does not exist")
    grids = {}
    base = root if root.is_dir() else root.parent
    for path in grid_files(root):
        grids[path.relative_to(base).with_suffix("").as_posix()] = load_grid(path)
    if not grids:
        raise GridFileError(root, None, f"no grid files ({', '.join(GRID_SUFFIXES)}) found")
    return Catalog(MappingProxyType(grids), default_event)
