"""The grids being served, swapped whole on reload."""

from __future__ import annotations

import time
from pathlib import Path

from bot.core.catalog import Catalog, CatalogDiff
from bot.core.loader import MAX_FILE_BYTES, load_catalog


class GridStore:
    """The operator's library: every grid file under the data directory, served in every
    server. Holds the catalog that is serving; a failed reload leaves it untouched."""

    def __init__(
        self, root: Path, default_event: str | None = None, *, max_bytes: int = MAX_FILE_BYTES
    ) -> None:
        self.root = root
        self.default_event = default_event
        self.max_bytes = max_bytes
        self.catalog: Catalog = load_catalog(root, default_event, max_bytes).prepare()
        self.loaded_at = time.time()

    def reload(self) -> CatalogDiff:
        """Parse every file again; only a complete success replaces what is serving.

        Raises ``GridFileError`` (naming file and line) and keeps the old grids on failure.
        """
        catalog = load_catalog(self.root, self.default_event, self.max_bytes).prepare()
        diff = catalog.diff(self.catalog)
        self.catalog, self.loaded_at = catalog, time.time()
        return diff

    def relative(self, path: Path) -> str:
        """A path as shown to people: relative to the data directory when inside it."""
        base = self.root if self.root.is_dir() else self.root.parent
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            return path.name
