"""Reloading the operator's files: at the owner's ``/reload``, or because another process did.

All or nothing in each process: a file that fails to parse leaves the grids that were serving
in service (``GridStore.reload``). Parsing runs in a worker thread, one reload at a time.
"""

from __future__ import annotations

import asyncio
import logging

from bot.core.catalog import CatalogDiff
from bot.core.errors import GridFileError
from bot.core.store import GridStore

log = logging.getLogger("gridbot")


async def reload_operator(store: GridStore, lock: asyncio.Lock) -> CatalogDiff:
    """Parse the data folder again; raises ``GridFileError`` and keeps serving on failure."""
    async with lock:
        return await asyncio.to_thread(store.reload)


async def reload_logged(store: GridStore, lock: asyncio.Lock, reason: str) -> None:
    """Reload for ``reason`` (no one is waiting for an answer): the outcome goes to the log."""
    try:
        diff = await reload_operator(store, lock)
    except GridFileError as error:
        log.error(
            "reloading the operator's files (%s) failed here: %s; the grids that were serving "
            "keep serving",
            reason,
            error,
        )
        return
    log.info(
        "reloaded the operator's files (%s): %d added, %d removed, %d changed; %d serving",
        reason,
        len(diff.added),
        len(diff.removed),
        len(diff.changed),
        len(store.catalog.grids),
    )
