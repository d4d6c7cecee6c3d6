"""Rendered charts, drawn in worker threads and kept until the grid they show is replaced."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from bot.charts.data import ChartData
from bot.charts.draw import render_png
from bot.core.model import Grid

Key = tuple[int, tuple[int, tuple[str, ...], str]]
"""``id(grid)`` and what the chart shows of it (``ChartData.key``)."""


class ChartCache:
    """PNG bytes per grid, top and highlight: the ``size`` most recently used.

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
        size: int = 32,
        workers: int = 2,
    ) -> None:
        self.render = render
        self.size = size
        self.rendered = 0
        """Charts drawn so far (cache misses)."""
        self._done: OrderedDict[Key, tuple[Grid, bytes]] = OrderedDict()
        self._drawing: dict[Key, tuple[Grid, asyncio.Future[bytes]]] = {}
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chart")

    def __len__(self) -> int:
        return len(self._done)

    async def png(self, grid: Grid, data: ChartData) -> bytes:
        """The chart of ``data`` (made from ``grid``) as PNG bytes, drawn at most once."""
        key = (id(grid), data.key)
        done = self._done.get(key)
        if done is not None:
            self._done.move_to_end(key)
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
        self._done[key] = (grid, future.result())
        while len(self._done) > self.size:
            self._done.popitem(last=False)

    def close(self) -> None:
        """Stop the workers; charts being drawn are finished, queued ones are dropped."""
        self._pool.shutdown(wait=False, cancel_futures=True)
