"""The grids being served, swapped whole on reload."""

from __future__ import annotations

import time
from pathlib import Path
from types import MappingProxyType

from bot.core.catalog import Catalog, CatalogDiff
from bot.core.loader import grid_key, load_catalog, load_grid
from bot.core.model import Grid


class GridStore:
    """Holds the catalog that is serving. A failed reload leaves it untouched."""

    def __init__(self, root: Path, default_event: str | None = None) -> None:
        self.root = root
        self.default_event = default_event
        self.catalog: Catalog = load_catalog(root, default_event).prepare()
        self.loaded_at = time.time()

    def reload(self) -> CatalogDiff:
        """Parse every file again; only a complete success replaces what is serving.

        Raises ``GridFileError`` (naming file and line) and keeps the old grids on failure.
        """
        catalog = load_catalog(self.root, self.default_event).prepare()
        diff = catalog.diff(self.catalog)
        self.catalog, self.loaded_at = catalog, time.time()
        return diff

    def put(self, path: Path) -> tuple[str, Grid]:
        """Load one grid file under the data directory and serve it with the others."""
        grid = load_grid(path)
        key = grid_key(path, self.root)
        grids = {**self.catalog.grids, key: grid}
        self.catalog = Catalog(MappingProxyType(grids), self.default_event).prepare()
        return key, grid

    def relative(self, path: Path) -> str:
        """A path as shown to people: relative to the data directory when inside it."""
        base = self.root if self.root.is_dir() else self.root.parent
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            return path.name
