"""Rendered charts, drawn in worker threads and kept until the grid they show is replaced."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import BrokenExecutor, Executor, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from cachetools import LRUCache

from bot.charts.data import MAX_BARS, ChartData, chart_data
from bot.charts.draw import render_png
from bot.core.errors import QueryError
from bot.core.model import Grid

log = logging.getLogger("gridbot.charts")

Key = tuple[int, tuple[int, tuple[str, ...], str]]
"""``id(grid)`` and what the chart shows of it (``ChartData.key``)."""


GRID_HELD = 64 * 1024
"""What an entry counts for the grid it keeps alive, beside its PNG bytes."""
WAITING = 32
"""Charts waiting for a worker, from every server together."""
PER_SERVER = 4
"""Charts one server may have waiting or being drawn at once."""
TIME_LIMIT = 20.0
"""Seconds a request waits for its chart, queue included, before it is answered that the
chart could not be drawn in time."""
SERVED_KEPT = 1024
"""Servers whose last turn is remembered after their line emptied."""
SMALL = 40
"""Bars of a chart small enough for the express worker: an ordinary grid's chart is never
stuck behind long ones (a 1,000-car grid with 900-character names charts 80 bars in 1.5 s)."""
BUSY = "Too many charts are being drawn right now; please try again in a moment."
BROKEN = "The chart could not be drawn; please try again."
SLOW = "The chart could not be drawn in time; please try again in a moment."


def entry_size(entry: tuple[Grid, bytes]) -> int:
    return GRID_HELD + len(entry[1])


@dataclass(slots=True)
class _Job:
    """A chart waiting for, or being drawn by, a worker; everyone asking for it awaits
    ``done``."""

    grid: Grid
    data: ChartData
    owner: Hashable
    done: asyncio.Future[bytes]


class ChartCache:
    """PNG bytes per grid, top and highlight, least recently used out first, bounded in bytes.

    Keys hold ``id(grid)`` and entries hold the grid itself, so an id cannot be reused while
    its key exists. A reload makes new grid objects, so their charts are drawn afresh and the
    old ones age out; several grids (events) can be served side by side.

    Charts are drawn in a small thread pool, never on the event loop. Requests for a chart
    waiting or being drawn wait for that drawing instead of starting another. The waiting
    line is bounded (:data:`WAITING` in all, :data:`PER_SERVER` per server) and fair: the
    workers take one chart from each server in turn, so a server asking for many charts
    delays only its own. A request gets an answer within :data:`TIME_LIMIT` seconds.
    """

    def __init__(
        self,
        render: Callable[[ChartData], bytes] = render_png,
        *,
        max_bytes: int = 16 * 1024 * 1024,
        workers: int = 2,
        waiting: int = WAITING,
        per_server: int = PER_SERVER,
        time_limit: float = TIME_LIMIT,
        express: bool = True,
    ) -> None:
        self.render = render
        self.rendered = 0
        """Charts drawn so far (cache misses)."""
        self.workers, self.waiting, self.per_server = workers, waiting, per_server
        self.time_limit = time_limit
        self._done: LRUCache[Key, tuple[Grid, bytes]] = LRUCache(
            maxsize=max_bytes, getsizeof=entry_size
        )
        self._jobs: dict[Key, _Job] = {}
        """Every chart waiting or being drawn."""
        self._lines: dict[Hashable, deque[Key]] = {}
        """Each server's waiting charts."""
        self._served: dict[Hashable, int] = {}
        self._tick = 0
        """When each server with charts waiting was last given a worker: the one served
        longest ago (or never) is next, and of those the one with the fewest waiting."""
        self._drawing = 0
        self._has_express = express
        self._express_busy = False
        self._pool: Executor | None = None
        """Made for the first chart: a process pool's queue starts multiprocessing's resource
        tracker, a process of its own, which a bot nobody asks for a chart does not need."""

    def _executor(self) -> Executor:
        if self._pool is None:
            self._pool = self._new_pool()
        return self._pool

    def _new_pool(self) -> Executor:
        """Where charts are drawn. matplotlib holds the interpreter lock for long stretches:
        drawn in threads, hostile charts stalled the event loop for 34-64 ms. So the real
        renderer draws in other processes, forked on the first chart from a fork server that
        has matplotlib loaded (one process per worker and one for the express lane). A
        renderer of the tests' own draws in threads, so that it can count what it drew."""
        size = self.workers + self._has_express
        if self.render is not render_png:
            return ThreadPoolExecutor(size, thread_name_prefix="chart")
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["bot.charts.worker"])
        return ProcessPoolExecutor(max_workers=size, mp_context=context)

    def __len__(self) -> int:
        return len(self._done)

    async def png(self, grid: Grid, data: ChartData, owner: Hashable = None) -> bytes:
        """The chart of ``data`` (made from ``grid``) as PNG bytes, drawn at most once;
        ``owner`` is the server asking. Raises ``QueryError`` when the line is full or the
        chart is not ready within the time limit."""
        key = (id(grid), data.key)
        done = self._done.get(key)
        if done is not None:
            return done[1]
        job = self._jobs.get(key) or self._enqueue(key, grid, data, owner)
        try:
            return await asyncio.wait_for(asyncio.shield(job.done), self.time_limit)
        except TimeoutError:
            raise QueryError(SLOW) from None
        except BrokenExecutor:  # a drawing process died: the next chart gets a new pool
            log.exception("a chart process died; starting new ones")
            self._executor().shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            raise QueryError(BROKEN) from None

    def _enqueue(self, key: Key, grid: Grid, data: ChartData, owner: Hashable) -> _Job:
        mine = sum(1 for job in self._jobs.values() if job.owner == owner)
        drawing = self._drawing + self._express_busy
        if len(self._jobs) - drawing >= self.waiting or mine >= self.per_server:
            raise QueryError(BUSY)
        job = _Job(grid, data, owner, asyncio.get_running_loop().create_future())
        self._jobs[key] = job
        self._lines.setdefault(owner, deque()).append(key)
        self._start()
        return job

    def _start(self) -> None:
        """Give free workers the next chart of each server in turn; when every worker is
        busy, the express worker takes the next small chart."""
        while self._lines:
            if self._drawing < self.workers:
                owners = list(self._lines)
                express = False
            elif self._has_express and not self._express_busy:
                owners = [o for o in self._lines if self._small(self._lines[o][0])]
                express = True
            else:
                return
            if not owners:
                return
            # Served longest ago first; between equals, the one asking for fewer charts.
            owner = min(owners, key=lambda o: (self._served.get(o, -1), len(self._lines[o])))
            line = self._lines[owner]
            key = line.popleft()
            self._tick += 1
            self._served[owner] = self._tick
            if not line:
                del self._lines[owner]
                self._forget_idle()
            if express:
                self._express_busy = True
            else:
                self._drawing += 1
            job = self._jobs[key]
            pool = self._executor()
            drawing = asyncio.get_running_loop().run_in_executor(pool, self.render, job.data)
            drawing.add_done_callback(partial(self._finish, key, express))

    def _forget_idle(self) -> None:
        """Keep when each server was served for as long as it may matter: a server whose
        line just emptied keeps its turn (else it would count as never served), but servers
        with nothing waiting are forgotten once there are many of them."""
        if len(self._served) > SERVED_KEPT:
            for owner in [o for o in self._served if o not in self._lines]:
                del self._served[owner]

    def _small(self, key: Key) -> bool:
        return len(self._jobs[key].data.bars) <= SMALL

    def _finish(self, key: Key, express: bool, future: asyncio.Future[bytes]) -> None:
        if express:
            self._express_busy = False
        else:
            self._drawing -= 1
        job = self._jobs.pop(key)
        if future.cancelled():
            job.done.cancel()
        elif future.exception() is not None:
            job.done.set_exception(future.exception())  # type: ignore[arg-type]  # not None: checked above
            job.done.exception()  # retrieved: nobody may be waiting any more
        else:
            self.rendered += 1
            with contextlib.suppress(ValueError):  # a chart larger than the whole cache
                self._done[key] = (job.grid, future.result())
            job.done.set_result(future.result())
        self._start()

    async def warm(self, grid: Grid) -> None:
        """Start every drawing process now, each drawing a chart of ``grid``, rather than when
        someone waits for a chart: the first imports matplotlib (about a second), and starting
        one holds the event loop for a moment."""
        most = min(len(grid), MAX_BARS)
        if most < 2:
            return
        tops = sorted({min(2 + n, most) for n in range(self.workers + self._has_express)})
        await asyncio.gather(
            *(self.png(grid, chart_data(grid, top=top), f"warm {top}") for top in tops)
        )

    def close(self) -> None:
        """Stop the workers; charts being drawn are finished, waiting ones are dropped."""
        for line in self._lines.values():
            for key in line:
                self._jobs.pop(key).done.cancel()
        self._lines.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
