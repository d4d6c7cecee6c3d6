"""Accepting an uploaded file's name: no path, no dot-file, a grid or results suffix."""

from __future__ import annotations

import re
from pathlib import Path

from bot.core.errors import QueryError

IMPORT_SUFFIXES = (".md", ".csv", ".tsv", ".txt", ".json", ".xml")
"""Grids and results files: Gridbot's own Markdown and CSV, pasted tables (a ``.txt`` too:
an upload is a results file on purpose, where a data folder's ``.txt`` may be notes), sim-racing
and timing systems' exports (see :mod:`bot.core.readers`)."""
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,99}$")


def safe_name(filename: str) -> str:
    """The uploaded file's name if it is safe to keep and show, else a ``QueryError`` saying
    why: no path separators, no dot-files, no traversal, a grid suffix."""
    if any(separator in filename for separator in ("/", "\\", "\x00")):
        raise QueryError("The file name must not contain a path, only a name like le-mans.md.")
    if filename.startswith(".") or ".." in filename:
        raise QueryError("The file name must not start with a dot or contain '..'.")
    suffix = Path(filename).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise QueryError(
            f"Only {', '.join(IMPORT_SUFFIXES[:-1])} and {IMPORT_SUFFIXES[-1]} grid and results "
            f"files can be imported, not '{suffix}'."
        )
    if not _SAFE.match(filename):
        raise QueryError(
            "Use a file name of letters, digits, spaces, dots, dashes and underscores "
            "(at most 100 characters)."
        )
    return Path(filename).stem + suffix
