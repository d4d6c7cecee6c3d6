"""Accepting an uploaded grid file: a safe name, a size limit, and an atomic write."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from bot.core.errors import GridFileError, QueryError
from bot.core.loader import GRID_SUFFIXES, MAX_FILE_BYTES, load_grid
from bot.core.store import GridStore

MAX_IMPORT_BYTES = MAX_FILE_BYTES
IMPORT_SUFFIXES = (".md", ".csv")
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,99}$")


def safe_name(filename: str) -> str:
    """The uploaded file's name if it is safe to write into the data directory, else a
    ``QueryError`` saying why: no path separators, no dot-files, no traversal, a grid suffix."""
    if any(separator in filename for separator in ("/", "\\", "\x00")):
        raise QueryError("The file name must not contain a path, only a name like le-mans.md.")
    if filename.startswith(".") or ".." in filename:
        raise QueryError("The file name must not start with a dot or contain '..'.")
    suffix = Path(filename).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise QueryError(
            f"Only {' and '.join(IMPORT_SUFFIXES)} grid files can be imported, not '{suffix}'."
        )
    if not _SAFE.match(filename):
        raise QueryError(
            "Use a file name of letters, digits, spaces, dots, dashes and underscores "
            "(at most 100 characters)."
        )
    return Path(filename).stem + suffix


def check_size(size: int) -> None:
    """Refuse anything over :data:`MAX_IMPORT_BYTES`."""
    if size > MAX_IMPORT_BYTES:
        raise QueryError(f"That file is {size / 1024 / 1024:.1f} MiB; grids can be at most 1 MiB.")


def stage(directory: Path, data: bytes, suffix: str) -> Path:
    """Write ``data`` to a hidden temporary file in ``directory`` (never loaded as a grid)."""
    fd, temporary = tempfile.mkstemp(prefix=".import-", suffix=suffix, dir=directory)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return Path(temporary)


def publish(staged: Path, target: Path, *, replace: bool) -> None:
    """Move a staged file into place atomically: readers see the old file or the new one.

    Without ``replace`` an existing file is left alone and a ``QueryError`` says so.
    """
    if replace:
        staged.replace(target)
        return
    try:
        os.link(staged, target)  # fails if the target exists, atomically
    except FileExistsError:
        raise QueryError(
            f"A grid named {target.name} already exists. Import it again with "
            "replace: True to overwrite it."
        ) from None
    finally:
        staged.unlink(missing_ok=True)


def import_file(store: GridStore, name: str, data: bytes, *, replace: bool) -> tuple[str, bool]:
    """Add ``data`` as grid file ``name`` to the store's directory and serve it at once.

    Returns the grid's key and whether it replaced one. The contents are checked with the same
    loader before anything is published; if the grid still cannot be served where it lands
    (a sidecar ``.toml`` beside it, say), the directory is put back as it was. Errors name the
    uploaded file, never a server path.
    """
    root = store.root
    target = root / name
    for other in root.iterdir():
        if (
            other.name != name
            and other.stem == target.stem
            and other.suffix.lower() in GRID_SUFFIXES
        ):
            raise QueryError(
                f"{other.name} already holds the grid {target.stem}; two files of the same "
                "name cannot both be served. Rename the upload, or replace that file."
            )
    existed = target.exists()
    if existed and not replace:
        raise QueryError(
            f"A grid named {name} already exists. Import it again with replace: True to "
            "overwrite it."
        )
    previous = target.read_bytes() if existed else None
    staged = stage(root, data, target.suffix)
    try:
        load_grid(staged)
    except GridFileError as error:
        staged.unlink(missing_ok=True)
        raise GridFileError(name, error.line, error.problem) from None
    publish(staged, target, replace=replace)
    try:
        key, _grid = store.put(target)
    except BaseException as error:
        if previous is None:
            target.unlink(missing_ok=True)
        else:
            publish(stage(root, previous, target.suffix), target, replace=True)
        if isinstance(error, GridFileError):
            where = store.relative(error.path)
            raise GridFileError(where, error.line, error.problem) from None
        raise
    return key, existed
