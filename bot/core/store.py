"""The grids being served, swapped whole on reload."""

from __future__ import annotations

import time
from pathlib import Path

from bot.core.loader import Catalog, load_catalog


class GridStore:
    """Holds the catalog that is serving. A failed reload leaves it untouched."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.catalog = load_catalog(root)
        self.loaded_at = time.time()

    def reload(self) -> Catalog:
        """Parse every file again; only a complete success replaces what is serving."""
        catalog = load_catalog(self.root)
        self.catalog, self.loaded_at = catalog, time.time()
        return catalog
