"""``python -m bot ask "/chart [top] [highlight]"``: the chart as a PNG file and its summary."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from bot.charts.data import chart_data
from bot.charts.draw import render_png
from bot.charts.summary import chart_card
from bot.core.errors import QueryError, UsageError
from bot.core.model import Grid
from bot.render.cards import card_for
from bot.render.text import to_text

OPTIONS = ("top", "highlight")


def is_chart(command: str) -> bool:
    """Whether a command line asks for ``/chart``."""
    words = command.split(maxsplit=1)
    return bool(words) and words[0].lstrip("/").lower() == "chart"


def parse_chart(command: str) -> tuple[int | None, str | None]:
    """``"/chart 10 lister"`` or ``"/chart top:10 highlight:lister"`` → (10, "lister")."""
    try:
        words = shlex.split(command)[1:]
    except ValueError as error:
        raise UsageError(f"cannot read that command line: {error}") from None
    named: dict[str, str] = {}
    positional: list[str] = []
    for word in words:
        key, colon, value = word.partition(":")
        if colon and key in OPTIONS:
            named[key] = value
        elif "highlight" in named:
            named["highlight"] += " " + word
        else:
            positional.append(word)
    if positional and "top" not in named and positional[0].isdigit():
        named["top"] = positional.pop(0)
    if positional and "highlight" not in named:
        named["highlight"] = " ".join(positional)
    elif positional:
        raise UsageError("too many values for /chart. Usage: /chart [top] [highlight]")
    top = named.get("top")
    if top is not None and not top.strip().isdigit():
        raise UsageError(f"top must be a whole number, not {top!r}.")
    return (int(top) if top is not None else None), named.get("highlight")


def chart_path(grid: Grid, folder: Path) -> Path:
    """``chart-2003-1000km-le-mans-qualifying.png`` in ``folder``."""
    name = grid.meta.source.stem if grid.meta.source else grid.meta.title
    slug = re.sub(r"[^\w]+", "-", name.casefold()).strip("-") or "grid"
    return folder / f"chart-{slug}.png"


def ask_chart(grid: Grid, command: str, folder: Path | None = None) -> tuple[str, bool]:
    """Write the chart to ``folder`` (the current directory) and say what it shows and where."""
    top, highlight = parse_chart(command)
    try:
        data = chart_data(grid, top=top, highlight=highlight)
    except QueryError as error:
        return to_text(card_for(error)), True
    path = chart_path(grid, folder or Path.cwd()).resolve()
    try:
        path.write_bytes(render_png(data))
    except OSError as error:
        return f"Sorry: cannot write the chart to {path}: {error.strerror}", True
    return f"{to_text(chart_card(data))}\nChart: {path}", False
