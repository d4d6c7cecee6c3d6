"""Valid but hostile grids (issue 14): long names, many cars, many grids. Each test checks the
mechanism that keeps the event loop free or memory linear, never a wall-clock time."""

from __future__ import annotations

import asyncio
import gc
import threading
import tracemalloc
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

from bot.charts import draw
from bot.charts.cache import BUSY, SMALL, ChartCache
from bot.charts.data import ChartData, chart_data
from bot.charts.draw import render_png
from bot.core import search
from bot.core.catalog import Catalog
from bot.core.complete import INDEXES, complete_team, prepare_grid
from bot.core.errors import QueryError
from bot.core.library import LibraryView
from bot.core.loader import load_catalog, parse_source
from bot.core.model import Grid
from bot.core.search import WORD_KEY, NameIndex
from bot.rendered import EventPages
from tests.core_fixtures import seed_grid

WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india")


def hostile_text(cars: int = 200, name: int = 900, team: str | None = None) -> bytes:
    """A valid grid: ``cars`` cars whose team names are ``name`` characters of many words."""
    rows = ["| Pos | No | Drivers | Car | Team | Time |", "|---|---|---|---|---|---|"]
    for position in range(1, cars + 1):
        words = [f"{WORDS[(position * 7 + n) % len(WORDS)]}{n}" for n in range(name // 4)]
        long_name = team if team is not None else " ".join(words)[:name].strip()
        rows.append(
            f"| {position} | {position} | Driver {position} | Car | {long_name} "
            f"| 1:{30 + position % 29}.{position:03d} |"
        )
    return "\n".join(rows).encode()


def hostile_grid(**options: Any) -> Grid:
    return parse_source(hostile_text(**options), Path("hostile.md"))


# Autocomplete indexes: built with the grid, off the event loop


def test_a_large_grid_is_indexed_when_loaded(tmp_path: Path) -> None:
    (tmp_path / "hostile.md").write_bytes(hostile_text())
    (tmp_path / "small.md").write_bytes(hostile_text(cars=3, name=10))
    grids = load_catalog(tmp_path).grids
    built = grids["hostile"].memo(INDEXES, lambda: None)
    assert built is not None and built.done(), "indexed by the loader, before any keystroke"
    assert grids["small"].memo(INDEXES, lambda: None) is None, "small grids: on first use"


async def test_a_grid_parsed_on_the_loop_is_indexed_in_a_worker() -> None:
    grid = hostile_grid()
    prepare_grid(grid)  # on the event loop's thread: it does not wait
    job = grid.memo(INDEXES, lambda: None)
    assert job is not None
    assert complete_team(grid, "alpha0"), "answered (by a plain scan if not yet indexed)"
    await asyncio.wrap_future(job)  # the worker's index, awaited rather than polled
    assert complete_team(grid, "bravo1")


# Name index: memory linear in the names, misses bounded and remembered


def test_word_starts_are_positions_not_copies() -> None:
    names = [" ".join(f"w{n}x{k}" for k in range(150)) for n in range(20)]
    tracemalloc.start()
    index = NameIndex((name, name) for name in names)
    held, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    characters = sum(map(len, names))
    assert held < 30 * characters, "linear in the names, not a copy of the rest at each word"
    assert index.search("w3x149")[0].item == names[3]
    long_query = " ".join(f"w7x{k}" for k in range(100, 110))
    assert len(long_query) > WORD_KEY and index.search(long_query)[0].item == names[7]


def test_a_miss_is_scored_once(monkeypatch: pytest.MonkeyPatch) -> None:
    index = NameIndex((name, name) for name in ("Lister Racing", "Care Racing"))
    calls: list[str] = []
    scored = NameIndex._fuzzy

    def counting(self: NameIndex[str], query: str, *rest: Any) -> None:
        calls.append(query)
        scored(self, query, *rest)

    monkeypatch.setattr(NameIndex, "_fuzzy", counting)
    miss = "qz" * 80
    assert index.search(miss) == [] and index.search(miss) == []
    assert len(calls) == 1, "the second miss came from the index's memory"
    assert len(calls[0]) <= search.MAX_QUERY, "scoring is bounded by the longest query"
    assert index.search("lsiter")[0].item == "Lister Racing"


# /events: rendered once per catalog


async def test_events_pages_are_rendered_once_per_catalog() -> None:
    catalog = Catalog({"seed": seed_grid()})
    pages = EventPages()
    view = LibraryView(catalog)
    first = await pages.of(view)
    assert await pages.of(view) is first and pages.rendered == 1
    await pages.of(LibraryView(Catalog({"seed": seed_grid()})))
    assert pages.rendered == 2, "another catalog (a reload) is rendered afresh"


# Reload: the new heap is frozen, so no collection walks it on the loop


def test_loaded_grids_are_out_of_the_collectors_sight(tmp_path: Path) -> None:
    (tmp_path / "one.md").write_bytes(hostile_text(cars=5, name=20))
    entries = load_catalog(tmp_path).grids["one"].entries
    assert gc.is_tracked(entries)
    assert not any(found is entries for found in gc.get_objects())


# Charts: plain text, bounded fitting, a fair and bounded line


def test_dollar_signs_are_drawn_as_text() -> None:
    for team in (r"$\undefinedmacro$", "$x^{$"):
        png = render_png(chart_data(hostile_grid(cars=3, team=team)))
        assert png.startswith(b"\x89PNG")


def test_fitting_a_long_label_measures_a_few_times(monkeypatch: pytest.MonkeyPatch) -> None:
    measured: list[int] = []
    width = draw._Page._width

    def counting(page: draw._Page, artist: Any) -> float:
        measured.append(len(artist.get_text()))
        return width(page, artist)

    monkeypatch.setattr(draw._Page, "_width", counting)
    render_png(chart_data(hostile_grid(cars=2, name=900)))
    labels = 2 + 3  # two team names, title, subtitle, no notes
    assert len(measured) <= labels * 14, "not one measurement per character"
    assert max(measured) <= 2 * 540, "never the whole 900 characters"


class GatedRenderer:
    """Draws a chart once the test opens the gate of its size ("big" or "small")."""

    def __init__(self) -> None:
        self.order: list[int] = []
        self.gates = {"big": threading.Event(), "small": threading.Event()}

    def __call__(self, data: ChartData) -> bytes:
        self.order.append(data.top)
        self.gates["big" if len(data.bars) > SMALL else "small"].wait(10)
        return b"png"


async def test_the_chart_line_is_fair_bounded_and_shared() -> None:
    grid = seed_grid()
    render = GatedRenderer()
    cache = ChartCache(render, workers=1, per_server=3, waiting=4, express=False)
    greedy = [cache.png(grid, chart_data(grid, top=top), "greedy") for top in (2, 3, 4)]
    tasks = [asyncio.ensure_future(job) for job in greedy]
    await asyncio.sleep(0)
    with pytest.raises(QueryError, match=BUSY[:20]):
        await cache.png(grid, chart_data(grid, top=5), "greedy")
    polite = asyncio.ensure_future(cache.png(grid, chart_data(grid, top=9), "polite"))
    same = asyncio.ensure_future(cache.png(grid, chart_data(grid, top=9), "other"))
    await asyncio.sleep(0)
    render.gates["small"].set()
    await asyncio.gather(*tasks, polite, same)
    assert render.order.index(9) < render.order.index(4), "not queued behind all of greedy's"
    assert render.order.count(9) == 1, "the same chart is drawn once for everyone asking"
    cache.close()


async def test_a_small_chart_is_not_stuck_behind_big_ones() -> None:
    big, small = hostile_grid(cars=SMALL + 20), seed_grid()
    render = GatedRenderer()
    cache = ChartCache(render, workers=2)
    stuck = [
        asyncio.ensure_future(cache.png(big, chart_data(big, top=top), server))
        for server, top in (("a", SMALL + 10), ("b", SMALL + 11), ("c", SMALL + 12))
    ]
    await asyncio.sleep(0)
    render.gates["small"].set()
    assert await cache.png(small, chart_data(small, top=10), "ordinary") == b"png"
    assert sorted(render.order) == [10, SMALL + 10, SMALL + 11], "drawn beside the big ones"
    assert SMALL + 12 not in render.order, "the big ones still wait for the regular workers"
    render.gates["big"].set()
    await asyncio.gather(*stuck)
    cache.close()


async def test_a_chart_has_a_time_limit() -> None:
    release = threading.Event()

    def stuck(_data: ChartData) -> bytes:
        release.wait(10)  # a thread drawing until the test lets it go: never within the limit
        return b"png"

    grid = seed_grid()
    cache = ChartCache(stuck, time_limit=0.01)
    try:
        with pytest.raises(QueryError, match="in time"):
            await cache.png(grid, chart_data(grid, top=3))
    finally:
        release.set()
        cache.close()


def test_prepare_grid_is_idempotent() -> None:
    grid = hostile_grid(cars=40)
    assert prepare_grid(prepare_grid(grid)) is grid


class DeadPool(ThreadPoolExecutor):
    """A pool whose worker died, as a ProcessPoolExecutor says it."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        dead: Future[Any] = Future()
        dead.set_exception(BrokenProcessPool("a chart process was killed"))
        return dead


async def test_a_dead_drawing_process_is_answered_and_replaced() -> None:
    grid = seed_grid()
    cache = ChartCache(GatedRenderer())
    cache._pool = DeadPool(1)
    with pytest.raises(QueryError, match="could not be drawn"):
        await cache.png(grid, chart_data(grid, top=3))
    assert not isinstance(cache._pool, DeadPool), "the next chart gets new workers"
    cache.close()
