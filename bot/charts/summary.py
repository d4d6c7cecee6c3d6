"""A chart in words: the card beside the picture, and the picture's alt text."""

from __future__ import annotations

from bot.charts.data import Bar, ChartData
from bot.core.text import clip
from bot.core.times import format_gap, format_percent, format_time, percent
from bot.render.cards import LIMITS, Card, escape

ALT_TEXT_LIMIT = 1024
"""Discord's limit for an attachment's description."""
MAX_LISTED = 5
"""Cars named one by one in a line of the summary before the rest are counted."""


def chart_card(data: ChartData) -> Card:
    """Pole, the spread, the highlighted cars' gaps, level times and cars without a time."""
    lines = []
    fastest = data.fastest
    if fastest is None:
        lines.append("No car set a time.")
    else:
        what = "Pole" if data.fastest_is_pole else f"Fastest (P{fastest.position})"
        lines.append(
            f"**{what}**: #{escape(fastest.number)} {escape(fastest.team)} · "
            f"{format_time(fastest.time or 0)}"
        )
    spread = data.spread
    if spread is not None:
        first, last = spread
        lines.append(
            f"**Spread**: {format_gap((last.gap or 0) - (first.gap or 0))} from "
            f"#{escape(first.number)} ({first.place}) to #{escape(last.number)} ({last.place}), "
            f"{len(data.timed)} timed cars"
        )
    if len(data.highlighted) == 1 and not data.guessed:
        lines.append(f"**Highlighted**: {highlight_line(data, data.highlighted[0])}")
    elif data.highlighted:
        guess = f" (closest to “{escape(data.highlight_query)}”)" if data.guessed else ""
        lines.append(f"**Highlighted**: {escape(data.highlight)}{guess}")
        lines.extend(f"- {highlight_line(data, bar)}" for bar in data.highlighted[:MAX_LISTED])
        if len(data.highlighted) > MAX_LISTED:
            lines.append(f"- and {len(data.highlighted) - MAX_LISTED} more")
    for group in data.levels:
        cars = " = ".join(f"#{escape(bar.number)} ({bar.place})" for bar in group)
        lines.append(f"**Level**: {cars} · {format_time(group[0].time or 0)}")
    if data.no_time:
        cars = ", ".join(f"#{escape(b.number)} (P{b.position})" for b in data.no_time)
        lines.append(f"**No time**: {cars}")
    scope = f"all {data.cars} cars" if data.top == data.cars else f"top {data.top} of {data.cars}"
    return Card(
        title=f"Gaps to pole · {scope}",
        description=clip("\n".join(lines), LIMITS["description"]),
        footer=data.label,
    )


def highlight_line(data: ChartData, bar: Bar) -> str:
    """``#14 RML · P5 · +1.635 s (+1.860 %)``."""
    text = f"#{escape(bar.number)} {escape(bar.team)} · {bar.place}"
    fastest = data.fastest
    if bar.gap is None or fastest is None or fastest.time is None:
        return f"{text} · no time"
    if bar.gap == 0:
        return f"{text} · {format_time(bar.time or 0)}, fastest"
    share = format_percent(percent(bar.gap, fastest.time), signed=True)
    return f"{text} · {format_gap(bar.gap, signed=True)} ({share})"


def alt_text(data: ChartData) -> str:
    """The picture described for a screen reader: what it plots, then every bar."""
    scope = f"all {data.cars} cars" if data.top == data.cars else f"top {data.top} of {data.cars}"
    head = f"Bar chart of the gap to pole in seconds, {scope}, {data.title}."
    if data.fastest is not None:
        head += (
            f" Fastest: #{data.fastest.number}, {format_time(data.fastest.time or 0)}."
            if not data.fastest_is_pole
            else f" Pole: #{data.fastest.number}, {format_time(data.fastest.time or 0)}."
        )
    if data.highlight:
        head += f" Highlighted: {data.highlight}."
    bars = "; ".join(f"{bar.place} #{bar.number} {bar.value}" for bar in data.bars)
    return clip(f"{head} {bars}.", ALT_TEXT_LIMIT)
