"""The grids being served, swapped whole on reload."""

from __future__ import annotations

import time
from pathlib import Path

from bot.core.catalog import Catalog, CatalogDiff
from bot.core.loader import load_catalog


class GridStore:
    """Holds the catalog that is serving. A failed reload leaves it untouched."""

    def __init__(self, root: Path, default_event: str | None = None) -> None:
        self.root = root
        self.default_event = default_event
        self.catalog: Catalog = load_catalog(root, default_event)
        self.loaded_at = time.time()

    def reload(self) -> CatalogDiff:
        """Parse every file again; only a complete success replaces what is serving.

        Raises ``GridFileError`` (naming file and line) and keeps the old grids on failure.
        """
        catalog = load_catalog(self.root, self.default_event)
        diff = catalog.diff(self.catalog)
        self.catalog, self.loaded_at = catalog, time.time()
        return diff
