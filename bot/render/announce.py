"""The card that announces a new session: event and session, the pole (the winner, the
fastest car of practice) and the first cars with their exact gaps. Registered with
:func:`~bot.render.cards.card_for`."""

from __future__ import annotations

from bot.core.answers import AnnouncementAnswer, Placing
from bot.core.model import PRACTICE, RACE, Grid
from bot.core.text import clip
from bot.core.times import format_gap, format_percent
from bot.render.cards import LIMITS, Card, Field, car_line, escape, join_lines, ref
from bot.render.race import result

NAMES_SHOWN = 60
"""Characters of a car's drivers shown in its line."""


def first_word(grid: Grid) -> str:
    """What the first car of a session is called."""
    return {RACE: "Winner", PRACTICE: "Fastest"}.get(grid.kind, "Pole")


def _drivers(placing: Placing) -> str:
    names = " / ".join(d.name for d in placing.entry.drivers)
    return f" · {escape(clip(names, NAMES_SHOWN))}" if names else ""


def _gap(placing: Placing) -> str:
    """The car's gap to the first: ``+0.118 s (+0.085 %)``, minus when it was faster."""
    gap = placing.gap
    if gap is None:
        return ""
    if gap.level:
        return "level"
    sign = "-" if gap.faster is placing.entry else "+"
    part = f" in {escape(gap.part)}" if gap.part else ""
    return f"{sign}{format_gap(gap.ticks)} ({sign}{format_percent(gap.percent)}){part}"


def _line(placing: Placing, grid: Grid) -> str:
    """``P2 · #23 · Ferrari 296 GT3 · 2:18.530 · Marco Bellini · +0.118 s (+0.085 %)``; in a
    race ``P2 · #23 · Ferrari 296 GT3 · Marco Bellini · Finished 2nd · 1.234 s behind #7``."""
    entry = placing.entry
    if grid.kind == RACE:
        car = f" · {escape(entry.car)}" if entry.car else ""
        return f"P{entry.position} · **{ref(entry)}**{car}{_drivers(placing)} · " + result(
            entry, placing.finish
        )
    gap = _gap(placing)
    return car_line(entry) + _drivers(placing) + (f" · {gap}" if gap else "")


def announcement_card(answer: AnnouncementAnswer) -> Card:
    """The card of a new session; the chart goes beside it as an image."""
    grid = answer.grid
    meta = grid.meta
    first = answer.placings[0].entry
    where = " · ".join(escape(part) for part in (meta.circuit, meta.date) if part)
    lines = [
        f"**{first_word(grid)}**: {ref(first)}{_drivers(answer.placings[0])}"
        + (f" · {escape(first.car)}" if first.car else "")
    ]
    if where:
        lines.append(where)
    lines.append(f"{len(grid)} cars · /grid, /gap and /chart answer about it now")
    return Card(
        title=clip(f"New results · {meta.title}", LIMITS["title"]),
        description="\n".join(lines),
        fields=(
            Field(
                f"Top {len(answer.placings)}",
                join_lines([_line(p, grid) for p in answer.placings]),
            ),
        ),
        footer=meta.label,
    )
