"""The grids being served, swapped whole on reload."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from bot.core.catalog import Catalog, CatalogDiff
from bot.core.loader import MAX_FILE_BYTES, load_catalog
from bot.core.model import Grid


class GridStore:
    """The operator's library: every grid file under the data directory, and those of the
    operator's watched folders, served in every server. Holds the catalog that is serving; a
    failed reload leaves it untouched.

    Changes come from worker threads (``/reload``, the watcher); one at a time."""

    def __init__(
        self, root: Path, default_event: str | None = None, *, max_bytes: int = MAX_FILE_BYTES
    ) -> None:
        self.root = root
        self.default_event = default_event
        self.max_bytes = max_bytes
        self._changing = threading.Lock()
        self._data: Catalog = load_catalog(root, default_event, max_bytes)
        self._watched: Mapping[str, Grid] = MappingProxyType({})
        self.catalog: Catalog = self._data.prepare()
        self.loaded_at = time.time()

    def reload(self) -> CatalogDiff:
        """Parse every file of the data folder again; only a complete success replaces what
        is serving (the watched folders' grids stay as they are).

        Raises ``GridFileError`` (naming file and line) and keeps the old grids on failure.
        """
        with self._changing:
            data = load_catalog(self.root, self.default_event, self.max_bytes)
            return self._serve(data, self._watched)

    def watched(self, grids: Mapping[str, Grid]) -> CatalogDiff:
        """Serve ``grids`` (by key) as the watched folders' grids, beside the data folder's;
        a key of the data folder wins over a watched grid of the same key."""
        with self._changing:
            return self._serve(self._data, MappingProxyType(dict(grids)))

    @property
    def shadowed(self) -> set[str]:
        """Keys of watched grids that a grid of the data folder hides."""
        return set(self._watched) & set(self._data.grids)

    def _serve(self, data: Catalog, watched: Mapping[str, Grid]) -> CatalogDiff:
        grids = data.grids if not watched else MappingProxyType({**watched, **data.grids})
        catalog = Catalog(grids, data.defaults).prepare()
        diff = catalog.diff(self.catalog)
        self._data, self._watched = data, watched
        self.catalog, self.loaded_at = catalog, time.time()
        return diff

    def relative(self, path: Path) -> str:
        """A path as shown to people: relative to the data directory when inside it."""
        base = self.root if self.root.is_dir() else self.root.parent
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            return path.name
