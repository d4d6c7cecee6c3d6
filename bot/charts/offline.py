"""``python -m bot ask "/chart [top] [highlight]"``: the chart as a PNG file and its summary."""

from __future__ import annotations

import re
from pathlib import Path

from bot.charts.data import chart_data
from bot.charts.draw import render_png
from bot.charts.summary import chart_card
from bot.core.errors import QueryError, UsageError
from bot.core.model import Grid
from bot.offline import CHART_OPTIONS, split_words, usage_of, whole_number
from bot.render.text import to_text


def parse_chart(command: str) -> tuple[int | None, str | None]:
    """``"/chart 10 lister"`` or ``"/chart top:10 highlight:lister"`` → (10, "lister").

    A ``top`` out of range (``-3``) is refused by :func:`chart_data`, as on Discord."""
    words = split_words(command)[1:]
    named: dict[str, str] = {}
    positional: list[str] = []
    for word in words:
        key, colon, value = word.partition(":")
        if colon and key in CHART_OPTIONS:
            named[key] = value
        elif "highlight" in named:
            named["highlight"] += " " + word
        else:
            positional.append(word)
    if positional and "top" not in named and re.fullmatch(r"[+-]?[0-9]+", positional[0]):
        named["top"] = positional.pop(0)
    if positional and "highlight" not in named:
        named["highlight"] = " ".join(positional)
    elif positional:
        raise UsageError(f"Too many values for /chart; it takes {usage_of('chart')}.")
    top = named.get("top")
    return (whole_number("top", top) if top is not None else None), named.get("highlight")


def chart_path(grid: Grid, folder: Path) -> Path:
    """``chart-2003-1000km-le-mans-qualifying.png`` in ``folder``."""
    name = grid.meta.source.stem if grid.meta.source else grid.meta.title
    slug = re.sub(r"[^\w]+", "-", name.casefold()).strip("-") or "grid"
    return folder / f"chart-{slug}.png"


def ask_chart(grid: Grid, command: str, folder: Path | None = None) -> str:
    """Write the chart to ``folder`` (the current directory) and say what it shows and where;
    a ``QueryError`` or ``UsageError`` when it cannot."""
    top, highlight = parse_chart(command)
    data = chart_data(grid, top=top, highlight=highlight)
    path = chart_path(grid, folder or Path.cwd()).resolve()
    try:
        path.write_bytes(render_png(data))
    except OSError as error:
        raise QueryError(f"Cannot write the chart to {path}: {error.strerror}.") from None
    return f"{to_text(chart_card(data))}\nChart: {path}"
