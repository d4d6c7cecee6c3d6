"""``/grid`` latency while 20 charts render: charts must not hold up the event loop.

The ``/grid`` answer path (query, card, embed dict) runs on the event loop every few
milliseconds; its latency is measured from when it was due (the timer it slept on) until the
embed is built, so a loop kept waiting by chart rendering shows up. Meanwhile 20 different
``/chart`` requests go through the cog's own path (``chart_data``, ``ChartCache.png`` drawing
in its worker threads, ``chart_card``). The same probe with no charts gives the baseline.

Run: .venv/bin/python -m bench.chart_bench  (about 10-20 s on two cores; target: p99 < 50 ms)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

from bot.charts.cache import ChartCache
from bot.charts.data import chart_data
from bot.charts.summary import alt_text, chart_card
from bot.core import queries
from bot.core.loader import load_grid
from bot.core.model import Grid
from bot.render.cards import card_for
from bot.render.embed import to_embed

SEED = Path(__file__).resolve().parent.parent / "data" / "2003-1000km-le-mans-qualifying.md"
INTERVAL = 0.002
"""Seconds between two ``/grid`` answers."""
HIGHLIGHTS = (None, "5", "14", "lister", "welter", "Racing", "48", "#66", "courage", "intersport")


def requests(grid: Grid, count: int) -> list[tuple[int | None, str | None]]:
    """``count`` (top, highlight) pairs that all draw different charts: every one a miss."""
    pairs: dict[object, tuple[int | None, str | None]] = {}
    for top in (None, 10, 20, len(grid) - 4, 5):
        for highlight in HIGHLIGHTS:
            pairs.setdefault(chart_data(grid, top=top, highlight=highlight).key, (top, highlight))
    return list(pairs.values())[:count]


async def chart(
    cache: ChartCache, grid: Grid, top: int | None, highlight: str | None, server: int = 0
) -> int:
    """What the cog does for one ``/chart`` from ``server``, short of talking to Discord."""
    data = chart_data(grid, top=top, highlight=highlight)
    png = await cache.png(grid, data, server)
    to_embed(chart_card(data)).to_dict()
    alt_text(data)
    return len(png)


async def probe(grid: Grid, stop: asyncio.Event) -> list[float]:
    """Answer ``/grid`` every ``INTERVAL`` until ``stop``; each answer's latency in ms."""
    loop = asyncio.get_running_loop()
    latencies = []
    position = 0
    while not stop.is_set():
        due = loop.time() + INTERVAL
        await asyncio.sleep(INTERVAL)
        position = position % len(grid) + 1
        to_embed(card_for(queries.grid_slot(grid, position))).to_dict()
        latencies.append((loop.time() - due) * 1000)
    return latencies


def summary(name: str, latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return (
        f"{name:<28} {len(ordered):>6} answers   p50 {statistics.median(ordered):6.2f} ms   "
        f"p99 {p99:6.2f} ms   max {ordered[-1]:6.2f} ms"
    )


async def measure(charts: int, workers: int) -> None:
    grid = load_grid(SEED)
    cache = ChartCache(workers=workers)
    started = time.perf_counter()
    await chart(cache, grid, 2, None)
    print(f"first chart (imports matplotlib): {time.perf_counter() - started:.2f} s")

    stop = asyncio.Event()
    idle = asyncio.create_task(probe(grid, stop))
    await asyncio.sleep(1.0)
    stop.set()
    print(summary("/grid, no charts", await idle))

    stop = asyncio.Event()
    busy = asyncio.create_task(probe(grid, stop))
    started = time.perf_counter()
    sizes = await asyncio.gather(
        *(chart(cache, grid, *r, server) for server, r in enumerate(requests(grid, charts)))
    )
    elapsed = time.perf_counter() - started
    stop.set()
    print(summary(f"/grid, {len(sizes)} charts rendering", await busy))
    print(
        f"charts rendered: {cache.rendered - 1} in {elapsed:.2f} s with {workers} worker processes "
        f"({sum(sizes) / len(sizes) / 1024:.0f} KiB average); target: p99 < 50 ms"
    )
    cache.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.chart_bench", description=__doc__)
    parser.add_argument("--charts", type=int, default=20, help="charts rendering at once")
    parser.add_argument("--workers", type=int, default=2, help="chart worker processes")
    args = parser.parse_args()
    asyncio.run(measure(args.charts, args.workers))


if __name__ == "__main__":
    main()
