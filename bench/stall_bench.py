"""Event-loop stalls with hostile but valid grids (issue 14, "Hard to break").

Run: .venv/bin/python -m bench.stall_bench [--grids 10000] [--cars 1000] [--name 900]

Generates, in a temporary folder: one grid of ``--cars`` cars whose team names are ``--name``
characters long, and ``--grids`` small grids beside it (the operator's data folder). While
each operation runs as the bot runs it, a probe task asks to wake every millisecond and
records how late it woke: the worst lateness is the longest the event loop stalled.

Prints one line per measurement, ``name: value unit (target ...) ok|MISSED``:
- stall per operation: a keystroke, a /team miss, /events, a reload, a chart (≤ 50 ms);
- RSS after each of 5 replace cycles of the hostile grid in a server's library (SQLite);
- the latency of an ordinary /chart queued behind hostile ones from other servers (≤ 5 s).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path

from bot.charts.cache import ChartCache
from bot.charts.data import chart_data
from bot.core import queries
from bot.core.complete import complete_team
from bot.core.errors import QueryError
from bot.core.model import Grid
from bot.core.store import GridStore
from bot.rendered import EventPages, rendered_answers
from bot.storage import Libraries, Limits, open_libraries, parse_url

STALL_TARGET_MS = 50.0
CHART_TARGET_S = 5.0
GUILD = 10**17
WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india")


def grid_text(cars: int, name: int, seed: int) -> bytes:
    """A valid grid: ``cars`` cars, team names ``name`` characters long."""
    rng = random.Random(seed)
    rows = ["| Pos | No | Drivers | Car | Team | Time |", "|---|---|---|---|---|---|"]
    for position in range(1, cars + 1):
        team = ""
        while len(team) < name:
            team += f"{rng.choice(WORDS)}{rng.randint(0, 99)} "
        lap = 90_000 + position * 37
        minutes, rest = divmod(lap, 60_000)
        rows.append(
            f"| {position} | {position} | Driver {seed}-{position} / Driver {position}b "
            f"| Car {position % 7} | {team[:name].strip()} "
            f"| {minutes}:{rest // 1000:02d}.{rest % 1000:03d} |"
        )
    return "\n".join(rows).encode()


def write_data(root: Path, grids: int, cars: int, name: int) -> bytes:
    """The operator's folder: the hostile grid and ``grids`` small ones; the hostile bytes."""
    hostile = grid_text(cars, name, 0)
    (root / "2099-hostile-qualifying.md").write_bytes(hostile)
    for n in range(grids):
        folder = root / str(1950 + n % 70)
        folder.mkdir(exist_ok=True)
        (folder / f"{1950 + n % 70}-event-{n}-qualifying.md").write_bytes(grid_text(5, 20, n + 1))
    return hostile


async def worst_stall(operation: Callable[[], Awaitable[object] | object]) -> float:
    """Run ``operation`` on the loop (awaiting it if it is a coroutine) while a probe wakes
    every millisecond; the worst lateness in ms."""
    worst, running = 0.0, True

    async def probe() -> None:
        nonlocal worst
        while running:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            worst = max(worst, time.perf_counter() - before - 0.001)

    task = asyncio.create_task(probe())
    await asyncio.sleep(0.01)  # the probe is running
    try:
        result = operation()
        if isinstance(result, Awaitable):
            await result
    finally:
        await asyncio.sleep(0.05)  # a late collection after the operation counts too
        running = False
        await task
    return worst * 1000


def report(name: str, value: float, unit: str, target: float | None = None) -> None:
    verdict = (
        ""
        if target is None
        else f" (target ≤ {target:g} {unit}) " + ("ok" if value <= target else "MISSED")
    )
    print(f"{name}: {value:.1f} {unit}{verdict}", flush=True)


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


MISS = "q" * 40 + " nothing matches this name " + "z" * 33


async def team_miss(grid: Grid) -> None:
    """``/team`` for a name that matches nothing, as the cog asks it (tree.answer_for)."""
    with contextlib.suppress(QueryError):
        await rendered_answers.get(grid, ("team", MISS), lambda: queries.team_entries(grid, MISS))


async def main(grids: int, cars: int, name: int) -> None:
    with tempfile.TemporaryDirectory(prefix="gridbot-stall-") as folder:
        root = Path(folder)
        data = root / "data"
        data.mkdir()
        hostile = write_data(data, grids, cars, name)
        started = time.perf_counter()
        store = await asyncio.to_thread(GridStore, data)
        print(f"loaded {len(store.catalog.grids)} grids in {time.perf_counter() - started:.1f} s")
        libraries = await open_libraries(
            parse_url(f"sqlite:///{root}/gridbot.sqlite3"), store, Limits(), attempts=1
        )
        await stalls(libraries, store)
        await replace_cycles(libraries, hostile)
        await charts(store)
        await libraries.close()


async def stall(name: str, operation: Callable[[], Awaitable[object] | object]) -> None:
    report(f"stall {name}", await worst_stall(operation), "ms", STALL_TARGET_MS)


async def stalls(libraries: Libraries, store: GridStore) -> None:
    grid = store.catalog.grids["2099-hostile-qualifying"]
    await stall("keystroke (first)", lambda: complete_team(grid, "alp"))
    await stall("keystroke (miss)", lambda: complete_team(grid, "q" * 100))
    await stall("/team miss (first)", lambda: team_miss(grid))
    await stall("/team miss (again)", lambda: team_miss(grid))
    pages = EventPages()
    view = await libraries.view(None)
    await stall("/events (first)", lambda: pages.of(view))
    await stall("/events (again)", lambda: pages.of(view))
    await stall("/reload", lambda: asyncio.to_thread(store.reload))
    await stall("/reload (again)", lambda: asyncio.to_thread(store.reload))


async def replace_cycles(libraries: Libraries, hostile: bytes) -> None:
    for cycle in range(1, 6):
        await libraries.import_file(GUILD, 1, "hostile.md", hostile, replace=True)
        libraries.forget(GUILD)
        view = await libraries.view(GUILD)

        lag = await worst_stall(partial(view.catalog.find, "hostile"))
        grid = view.catalog.find("hostile")
        for _ in range(100):  # the indexes are built in a worker thread meanwhile
            if complete_team(grid, "alp") and len(complete_team(grid, "alpha1")) > 0:
                break
            await asyncio.sleep(0.05)
        report(f"replace cycle {cycle}: first server lookup stall", lag, "ms")
        report(f"replace cycle {cycle}: RSS", rss_mib(), "MiB")


async def charts(store: GridStore) -> None:
    cache = ChartCache()
    hostile = store.catalog.grids["2099-hostile-qualifying"]
    ordinary = next(g for k, g in store.catalog.grids.items() if k != "2099-hostile-qualifying")
    heavy = [
        cache.png(hostile, chart_data(hostile, top=top), owner=server)
        for server in range(4)
        for top in (80, 79)
    ]
    waiting = [asyncio.ensure_future(job) for job in heavy]
    await asyncio.sleep(0)
    started = time.perf_counter()
    stall = await worst_stall(lambda: cache.png(ordinary, chart_data(ordinary), owner="ordinary"))
    report(
        "ordinary /chart behind 8 hostile ones", time.perf_counter() - started, "s", CHART_TARGET_S
    )
    report("stall /chart", stall, "ms", STALL_TARGET_MS)
    await asyncio.gather(*waiting, return_exceptions=True)
    cache.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=10_000)
    parser.add_argument("--cars", type=int, default=1000)
    parser.add_argument("--name", type=int, default=900)
    options = parser.parse_args()
    asyncio.run(main(options.grids, options.cars, options.name))
