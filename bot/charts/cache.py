"""Rendered charts, drawn in worker threads and kept until the grid they show is replaced."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from cachetools import LRUCache

from bot.charts.data import ChartData
from bot.charts.draw import render_png
from bot.core.model import Grid

Key = tuple[int, tuple[int, tuple[str, ...], str]]
"""``id(grid)`` and what the chart shows of it (``ChartData.key``)."""


GRID_HELD = 64 * 1024
"""What an entry counts for the grid it keeps alive, beside its PNG bytes."""


def entry_size(entry: tuple[Grid, bytes]) -> int:
    return GRID_HELD + len(entry[1])


class ChartCache:
    """PNG bytes per grid, top and highlight, least recently used out first, bounded in bytes.

    Keys hold ``id(grid)`` and entries hold the grid itself, so an id cannot be reused while
    its key exists. A reload makes new grid objects, so their charts are drawn afresh and the
    old ones age out; several grids (events) can be served side by side. Charts are drawn in a
    small thread pool, never on the event loop, and requests for a chart that is being drawn
    wait for that drawing instead of starting another.
    """

    def __init__(
        self,
        render: Callable[[ChartData], bytes] = render_png,
        *,
        max_bytes: int = 16 * 1024 * 1024,
        workers: int = 2,
    ) -> None:
        self.render = render
        self.rendered = 0
        """Charts drawn so far (cache misses)."""
        self._done: LRUCache[Key, tuple[Grid, bytes]] = LRUCache(
            maxsize=max_bytes, getsizeof=entry_size
        )
        self._drawing: dict[Key, tuple[Grid, asyncio.Future[bytes]]] = {}
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chart")

    def __len__(self) -> int:
        return len(self._done)

    async def png(self, grid: Grid, data: ChartData) -> bytes:
        """The chart of ``data`` (made from ``grid``) as PNG bytes, drawn at most once."""
        key = (id(grid), data.key)
        done = self._done.get(key)
        if done is not None:
            return done[1]
        drawing = self._drawing.get(key)
        if drawing is None:
            future = asyncio.get_running_loop().run_in_executor(self._pool, self.render, data)
            drawing = self._drawing[key] = (grid, future)
            future.add_done_callback(partial(self._finish, grid, key))
        return await asyncio.shield(drawing[1])

    def _finish(self, grid: Grid, key: Key, future: asyncio.Future[bytes]) -> None:
        del self._drawing[key]
        if future.cancelled() or future.exception() is not None:
            return
        self.rendered += 1
        with contextlib.suppress(ValueError):  # a chart larger than the whole cache
            self._done[key] = (grid, future.result())

    def close(self) -> None:
        """Stop the workers; charts being drawn are finished, queued ones are dropped."""
        self._pool.shutdown(wait=False, cancel_futures=True)
