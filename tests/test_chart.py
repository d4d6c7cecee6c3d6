"""``/chart``: the chart's data, the PNG, the cache, the command through dispatch, offline."""

from __future__ import annotations

import asyncio
import json
import re
import struct
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import discord
import pytest
from discord.http import Route
from discord.webhook.async_ import async_context

from bot.app import GridBot
from bot.charts.cache import ChartCache, entry_size
from bot.charts.data import BAR_COLOUR, CLASS_COLOURS, HIGHLIGHT_COLOUR, ChartData, chart_data
from bot.charts.draw import WIDTH, canvas_size, render_png
from bot.charts.summary import alt_text, chart_card
from bot.cli import main
from bot.core.errors import QueryError
from bot.core.model import Grid
from bot.core.parser import parse_grid_text
from tests.conftest import DATA
from tests.core_fixtures import SEED_LABEL, SEED_TITLE, seed_grid, small_grid, table
from tests.dispatch import RecordingAdapter, Sent, invoke

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

CLASSES = table(
    ("Pos", "No", "Class", "Drivers", "Car", "Team", "Time"),
    ("---",) * 7,
    ("1", "7", "Hypercar", "A", "Toyota GR010", "Toyota Gazoo Racing", "3:22.982"),
    ("2", "22", "LMP2", "B", "Oreca 07", "United Autosports", "3:31.500"),
    ("3", "91", "LMGT3", "C", "Porsche 911 GT3 R", "Manthey", "3:55.100"),
    ("4", "23", "LMP2", "D", "Oreca 07", "United Autosports", "NT"),
)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first."""
    assert png[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", png[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


# The chart's data


def test_one_bar_per_car_in_grid_order() -> None:
    data = chart_data(seed_grid())
    assert data.title == SEED_TITLE and data.cars == data.top == 34
    assert [bar.position for bar in data.bars] == list(range(1, 35))
    pole, fifth = data.bars[0], data.bars[4]
    assert (pole.place, pole.number, pole.team, pole.gap, pole.value) == (
        "P1",
        "5",
        "Audi Japan Team Goh",
        0,
        "1:27.898",
    )
    assert (fifth.place, fifth.number, fifth.team) == ("P5", "14", "RML")
    assert (fifth.gap, fifth.value, fifth.seconds) == (16_350, "+1.635 s", 1.635)
    assert data.fastest == pole and data.fastest_is_pole
    assert {bar.colour for bar in data.bars} == {BAR_COLOUR}
    assert data.legend == () and data.no_time == ()


def test_level_times_are_marked_and_equally_long() -> None:
    data = chart_data(seed_grid())
    p12, p13 = data.bars[11], data.bars[12]
    assert (p12.place, p13.place) == ("=P12", "=P13")
    assert p12.gap == p13.gap and p12.value == p13.value == "+8.934 s"
    assert [b.place for b in data.bars if b.level] == ["=P12", "=P13"]
    assert data.levels == ((p12, p13),)
    assert data.notes == ("= same time: #66 (=P12) and #15 (=P13), 1:36.832",)


def test_top_charts_the_front_of_the_grid() -> None:
    data = chart_data(seed_grid(), top=10)
    assert [bar.number for bar in data.bars] == [
        "5",
        "8",
        "4",
        "9",
        "14",
        "2",
        "18",
        "10",
        "13",
        "7",
    ]
    assert data.spread == (data.bars[0], data.bars[9])
    assert data.levels == ()


def test_cars_without_a_time_are_listed_not_drawn_as_zero() -> None:
    grid = small_grid(
        ("1", "8", "A", "Dome S101", "Racing For Holland", "1:28.380"),
        ("2", "14", "B", "MG Lola EX257", "RML", "—"),
        ("3", "4", "C", "Lister Storm", "Lister Racing", "1:29.900"),
        ("4", "9", "D", "Lola B2K/10", "Taurus Racing", "NT"),
    )
    data = chart_data(grid)
    assert [(b.number, b.gap, b.seconds, b.value) for b in data.no_time] == [
        ("14", None, None, "no time"),
        ("9", None, None, "no time"),
    ]
    assert [b.number for b in data.timed] == ["8", "4"]
    assert data.notes[-1] == "No time: P2 #14 RML, P4 #9 Taurus Racing"
    assert "**No time**: #14 (P2), #9 (P4)" in chart_card(data).description


def test_highlight_a_car_or_a_team() -> None:
    by_number = chart_data(seed_grid(), top=10, highlight="#14")
    assert [b.number for b in by_number.bars if b.highlighted] == ["14"]
    assert by_number.highlight == "#14 RML"
    assert by_number.bars[4].colour == HIGHLIGHT_COLOUR
    assert by_number.bars[3].colour == BAR_COLOUR
    assert chart_data(seed_grid(), top=10, highlight="14").key == by_number.key

    team = chart_data(seed_grid(), highlight="welter")
    assert team.highlight == "Rachel Welter and Gérard Welter"
    assert [b.number for b in team.highlighted] == ["24", "25"]

    guessed = chart_data(seed_grid(), highlight="lsiter")
    assert guessed.guessed and guessed.highlight == "Lister Racing"
    assert "(closest to “lsiter”)" in chart_card(guessed).description


def test_highlight_beyond_top_is_noted() -> None:
    data = chart_data(seed_grid(), top=5, highlight="48")
    assert not any(bar.highlighted for bar in data.bars)
    assert data.outside == data.highlighted and data.highlighted[0].position == 34
    assert data.notes == ("Highlighted #48 Olivier Baron is P34, outside the top 5: +21.547 s",)


def test_class_colours() -> None:
    data = chart_data(parse_grid_text(CLASSES, "classes.md"), highlight="united")
    assert [b.car_class for b in data.bars] == ["Hypercar", "LMP2", "LMGT3", "LMP2"]
    assert data.legend == (
        ("Hypercar", CLASS_COLOURS[0]),
        ("LMP2", CLASS_COLOURS[1]),
        ("LMGT3", CLASS_COLOURS[2]),
    )
    assert [b.colour for b in data.bars] == [CLASS_COLOURS[i] for i in (0, 1, 2, 1)]
    assert [b.number for b in data.bars if b.highlighted] == ["22", "23"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"top": 1}, "top must be a whole number from 2 to 34 (the grid has 34 cars)."),
        ({"top": 35}, "from 2 to 34"),
        ({"highlight": "99"}, "No car #99"),
        ({"highlight": "zzzz"}, "no car number or team matches “zzzz”"),
    ],
)
def test_bad_options_are_query_errors(options: dict[str, Any], expected: str) -> None:
    with pytest.raises(QueryError, match=re.escape(expected)):
        chart_data(seed_grid(), **options)


def test_summary_and_alt_text() -> None:
    data = chart_data(seed_grid(), top=10, highlight="RML")
    card = chart_card(data)
    assert card.title == "Gaps to pole · top 10 of 34"
    assert card.footer == SEED_LABEL
    lines = card.description.splitlines()
    assert lines[0] == "**Pole**: #5 Audi Japan Team Goh · 1:27.898"
    assert lines[1] == "**Spread**: 4.338 s from #5 (P1) to #7 (P10), 10 timed cars"
    assert lines[2] == "**Highlighted**: #14 RML · P5 · +1.635 s (+1.860 %)"
    alt = alt_text(data)
    assert alt.startswith("Bar chart of the gap to pole in seconds, top 10 of 34, 2003")
    assert "P5 #14 +1.635 s; " in alt and len(alt) <= 1024


# The picture


@pytest.mark.parametrize(
    "data",
    [
        chart_data(seed_grid()),
        chart_data(seed_grid(), top=3, highlight="4"),
        chart_data(parse_grid_text(CLASSES, "classes.md"), highlight="manthey"),
    ],
    ids=["all", "top-3-highlight", "classes-no-time"],
)
def test_png_is_valid_and_sized_as_planned(data: ChartData) -> None:
    png = render_png(data)
    assert png_size(png) == canvas_size(data)
    assert png.endswith(b"IEND\xaeB`\x82")


def test_height_grows_with_the_cars() -> None:
    sizes = [canvas_size(chart_data(seed_grid(), top=n)) for n in (5, 10, 34)]
    assert [w for w, _ in sizes] == [WIDTH] * 3
    assert sizes[0][1] < sizes[1][1] < sizes[2][1]


# The cache


class CountingRenderer:
    def __init__(self) -> None:
        self.calls = 0
        self.threads: set[str] = set()

    def __call__(self, data: ChartData) -> bytes:
        self.calls += 1
        self.threads.add(threading.current_thread().name)
        return f"png {data.key}".encode()


async def test_identical_requests_render_once() -> None:
    render = CountingRenderer()
    cache = ChartCache(render)
    grid = seed_grid()
    first = await cache.png(grid, chart_data(grid, top=10, highlight="14"))
    again = await cache.png(grid, chart_data(grid, top=10, highlight="#14"))
    assert first == again and render.calls == 1 == cache.rendered
    together = await asyncio.gather(*(cache.png(grid, chart_data(grid, top=5)) for _ in range(5)))
    assert len(set(together)) == 1 and render.calls == 2
    await cache.png(grid, chart_data(grid, top=10))
    assert render.calls == 3
    assert all(name.startswith("chart") for name in render.threads), "drawn off the loop"
    cache.close()


async def test_cache_is_per_grid_object_and_bounded() -> None:
    render = CountingRenderer()
    cache = ChartCache(render, max_bytes=3 * entry_size((seed_grid(), b"png (0, (), '')")))
    grid = seed_grid()
    for top in (2, 3, 4, 5):
        await cache.png(grid, chart_data(grid, top=top))
    assert len(cache) == 3
    await cache.png(grid, chart_data(grid, top=2))
    assert render.calls == 5, "the least recently used chart was dropped"
    reloaded = Grid(grid.meta, grid.entries)
    await cache.png(reloaded, chart_data(reloaded, top=5))
    assert render.calls == 6, "reloaded data is drawn afresh"
    await cache.png(grid, chart_data(grid, top=5))
    assert render.calls == 6 and len(cache) == 3, "another grid's charts stay served"
    cache.close()


# The command, through discord.py's dispatch


class FileRecordingAdapter(RecordingAdapter):
    """Also records multipart requests: their JSON part as the payload, and the files."""

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[int, list[tuple[str, bytes, str | None]]] = {}

    async def request(
        self,
        route: Route,
        session: Any,
        *,
        payload: dict[str, Any] | None = None,
        multipart: list[dict[str, Any]] | None = None,
        files: Sequence[discord.File] | None = None,
        **rest: Any,
    ) -> Any:
        if multipart:
            part = next(p for p in multipart if p["name"] == "payload_json")
            payload = json.loads(part["value"])
            self.files[len(self.sent)] = [
                (f.filename, f.fp.read(), f.description) for f in files or []
            ]
        return await super().request(route, session, payload=payload, **rest)


@pytest.fixture
def adapter() -> FileRecordingAdapter:
    recording = FileRecordingAdapter()
    async_context.set(recording)
    return recording


async def sent_at(adapter: RecordingAdapter, index: int) -> Sent:
    """The request at ``index``, allowing for the first chart to import matplotlib."""
    async with asyncio.timeout(30):
        while len(adapter.sent) <= index:
            adapter.arrived.clear()
            await adapter.arrived.wait()
    return adapter.sent[index]


async def test_chart_command_defers_then_sends_the_png(
    gridbot: GridBot, adapter: FileRecordingAdapter
) -> None:
    deferred = await invoke(gridbot, adapter, "chart", top=10, highlight="RML")
    assert deferred.path.endswith("/callback") and deferred.payload["type"] == 5
    index = adapter.sent.index(deferred) + 1
    followup = await sent_at(adapter, index)
    assert followup.method == "POST" and followup.path.startswith("/webhooks/")
    assert not followup.ephemeral
    embed = followup.embed
    assert embed["title"] == "Gaps to pole · top 10 of 34"
    assert embed["image"]["url"] == "attachment://chart.png"
    assert "+1.635 s" in embed["description"] and embed["footer"]["text"] == SEED_LABEL
    [(name, png, description)] = adapter.files[index]
    assert name == "chart.png"
    assert png_size(png) == canvas_size(chart_data(seed_grid(), top=10, highlight="RML"))
    assert description is not None and description.startswith("Bar chart of the gap to pole")
    assert followup.data["attachments"][0]["description"] == description
    assert followup.data["allowed_mentions"] == {"parse": []}

    again = await invoke(gridbot, adapter, "chart", top=10, highlight="14")
    assert again.payload["type"] == 5
    await sent_at(adapter, adapter.sent.index(again) + 1)
    assert adapter.files[adapter.sent.index(again) + 1][0][1] == png
    cache = getattr(gridbot.get_cog("ChartCog"), "cache", None)
    assert isinstance(cache, ChartCache) and cache.rendered == 1, "the second came from the cache"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"top": 35}, "top must be a whole number from 2 to 34"),
        ({"highlight": "zzzz"}, "no car number or team matches"),
    ],
)
async def test_chart_bad_options_answer_privately_without_deferring(
    gridbot: GridBot, adapter: FileRecordingAdapter, options: dict[str, Any], expected: str
) -> None:
    sent = await invoke(gridbot, adapter, "chart", **options)
    assert sent.payload["type"] == 4 and sent.ephemeral
    assert expected in sent.embed["description"]


# Offline


def test_ask_chart_writes_the_png(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRIDBOT_DATA_DIR", str(DATA))
    assert main(["ask", "/chart top:8 highlight:lister racing"]) == 0
    out = capsys.readouterr().out
    path = tmp_path / "chart-2003-1000km-le-mans-qualifying.png"
    assert f"Chart: {path}" in out
    assert "Gaps to pole · top 8 of 34" in out and "#4 Lister Racing · P3" in out
    assert png_size(path.read_bytes()) == canvas_size(
        chart_data(seed_grid(), top=8, highlight="lister racing")
    )
    assert main(["ask", "/chart", "5", "#14"]) == 0
    assert "top 5 of 34" in capsys.readouterr().out
    assert main(["ask", "/chart highlight:zzzz"]) == 1
    assert "no car number or team matches" in capsys.readouterr().err
    assert main(["ask", "/chart top:many"]) == 1
    assert capsys.readouterr().err == "Sorry: top must be a whole number, not 'many'.\n"


def test_the_cache_key_tells_apart_labels_of_the_same_car() -> None:
    from bot.charts.data import chart_data
    from tests.core_fixtures import seed_grid

    grid = seed_grid()
    by_number = chart_data(grid, highlight="4")
    by_team = chart_data(grid, highlight="Lister")
    assert by_number.highlight != by_team.highlight
    assert by_number.key != by_team.key
