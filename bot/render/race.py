"""Race answers: a car's result, two cars at the finish, the classification as a table.

They speak of the finish ("finished 3rd, 28.869 s behind #38"), and of each car's fastest lap
besides; :mod:`bot.render.cards` hands race grids' answers here.
"""

from __future__ import annotations

from bot.core.answers import Finish, GapAnswer, GridAnswer, TableAnswer
from bot.core.model import Entry
from bot.core.text import clip
from bot.core.times import TICKS_PER_SECOND, format_gap, format_percent, format_time
from bot.render.cards import (
    LIMITS,
    TABLE_ROWS,
    Card,
    Field,
    between_text,
    drivers,
    escape,
    legend_notes,
    no_time,
    paged,
    ref,
    table_text,
    team_unless_car,
)


def ordinal(number: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``22nd``."""
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def laps(count: int) -> str:
    return f"{count} lap{'s' if count != 1 else ''}"


def race_gap(ticks: int) -> str:
    """A gap at the finish: ``28.869 s``, and past a minute as a time, ``1:53.405``."""
    return format_gap(ticks) if ticks < 60 * TICKS_PER_SECOND else format_time(ticks)


def finish_text(finish: Finish | None, entry: Entry) -> str:
    """How ``entry`` finished against the other car of ``finish``, from its side."""
    if finish is None:
        return ""
    other = finish.behind if finish.ahead is entry else finish.ahead
    word = "ahead of" if finish.ahead is entry else "behind"
    who = f"{ref(other)}, P{other.position}"
    if finish.laps is not None:
        return f"{laps(finish.laps)} {word} {who}"
    if finish.ticks is not None:
        if finish.ticks == 0:
            return f"level with {who} at the finish"
        return f"{race_gap(finish.ticks)} {word} {who}"
    statuses = [f"{ref(e)}: {escape(e.status)}" for e in (finish.ahead, finish.behind) if e.status]
    if statuses:
        return f"{word} {who} ({'; '.join(statuses)})"
    return f"{word} {who} (the file gives no time between them)"


def result(entry: Entry, to_winner: Finish | None) -> str:
    """``Won · 139 laps · 4:00:04.690``, ``Finished 3rd · 42.679 s behind #38, P1``, ``DNF``."""
    details = [laps(entry.laps)] if entry.laps is not None else []
    if entry.status:
        return " · ".join(
            [f"{escape(entry.status)} (classified {ordinal(entry.position)})", *details]
        )
    if entry.position == 1:
        if entry.total is not None:
            details.append(format_time(entry.total))
        return " · ".join(["Won", *details])
    behind = finish_text(to_winner, entry)
    return " · ".join([f"Finished {ordinal(entry.position)}", *([behind] if behind else [])])


def grid_card(answer: GridAnswer) -> Card:
    """``/grid 3`` or ``/car 38`` in a race."""
    entry, grid = answer.entry, answer.grid
    fields = [
        Field("Result", result(entry, answer.to_winner)),
    ]
    if entry.time is not None:
        fields.append(Field("Fastest lap", no_time(entry), inline=True))
    if entry.total is not None and entry.position > 1:
        fields.append(Field("Race time", format_time(entry.total), inline=True))
    if answer.finish_ahead is not None:
        fields.append(Field("To the car ahead", finish_text(answer.finish_ahead, entry)))
    if answer.finish_behind is not None:
        fields.append(Field("To the car behind", finish_text(answer.finish_behind, entry)))
    rank = answer.class_rank
    if rank is not None:
        if rank.pole is entry:
            value = f"class winner, P1 of {rank.size}"
        else:
            value = f"P{rank.position} of {rank.size} · {finish_text(rank.finish, entry)}"
        fields.append(Field(f"Class {escape(rank.name)}", value))
    team = f"**{escape(entry.team)}**\n" if entry.team else ""
    return Card(
        title=clip(
            f"P{entry.position} · {ref(entry)} {escape(entry.car)}".strip(), LIMITS["title"]
        ),
        description=f"{team}{drivers(entry)}",
        fields=tuple(fields),
        footer=grid.meta.label,
        notes=legend_notes(grid, (entry,)),
    )


def gap_card(answer: GapAnswer) -> Card:
    """``/gap 24 19`` in a race: the finish, then each car's fastest lap."""
    finish = answer.finish
    assert finish is not None
    ahead, behind = finish.ahead, finish.behind
    title = f"{ref(answer.first)} vs {ref(answer.second)}"
    if finish.laps is not None:
        title += f" · {laps(finish.laps)}"
        description = f"**{ref(ahead)}** finished **{laps(finish.laps)}** ahead of {ref(behind)}."
    elif finish.ticks is not None:
        title += f" · {race_gap(finish.ticks)}"
        description = (
            f"**{ref(ahead)}** finished **{race_gap(finish.ticks)}** ahead of {ref(behind)}."
        )
    else:
        description = (
            f"**{ref(ahead)}** finished ahead of {ref(behind)}: {finish_text(finish, ahead)}."
        )
    gap = answer.gap
    if gap is None:
        fastest = (
            "no comparison: "
            + " and ".join(ref(e) for e in (answer.first, answer.second) if e.time is None)
            + " set no lap time"
        )
    elif gap.level:
        fastest = f"the same fastest lap, {format_time(gap.faster.time or 0)}"
    else:
        fastest = (
            f"{ref(gap.faster)} faster by {format_gap(gap.ticks)} ({format_percent(gap.percent)})"
        )
    between = between_text(answer.between, "none — they finished one behind the other")
    fields = (
        *(
            Field(
                f"P{e.position} · {ref(e)}",
                "\n".join(
                    line
                    for line in (
                        escape(e.car),
                        team_unless_car(e),
                        f"fastest lap {no_time(e)}" if e.time is not None else "",
                        laps(e.laps) if e.laps is not None else "",
                        escape(e.status),
                    )
                    if line
                ),
                inline=True,
            )
            for e in (answer.first, answer.second)
        ),
        *([Field("Fastest laps", fastest)] if answer.grid.fastest is not None else []),
        Field("Between them", between),
    )
    return Card(
        title=clip(title, LIMITS["title"]),
        description=description,
        fields=fields,
        footer=answer.grid.meta.label,
    )


def table_pages(answer: TableAnswer, rows: int = TABLE_ROWS) -> list[Card]:
    """The classification: position, car, team, laps, the winner's time or each car's gap."""
    grid = answer.grid
    winner = grid.pole
    cells = [("P", "Car", "Team", "Laps", "Result")]
    for e in grid.entries:
        if e.status:
            shown = clip(e.status, 12)
        elif e is winner:
            shown = format_time(e.total) if e.total is not None else "winner"
        elif winner.laps is not None and e.laps is not None and e.laps < winner.laps:
            shown = f"+{laps(winner.laps - e.laps)}"
        elif e.total is not None and winner.total is not None:
            shown = "+" + race_gap(e.total - winner.total).removesuffix(" s")
        elif e.behind is not None:
            shown = "+" + race_gap(e.behind).removesuffix(" s")
        else:
            shown = ""
        car = clip(f"#{e.number}" if e.number else (e.drivers[0].name if e.drivers else ""), 14)
        lap_count = str(e.laps) if e.laps is not None else ""
        cells.append((str(e.position), car, clip(e.team, 24), lap_count, shown))
    header, lines = table_text(cells, (">", "<", "<", ">", ">"))
    return paged(
        lines,
        rows,
        lambda chunk, page: Card(
            title=clip(f"{grid.meta.title} · {len(grid)} cars", LIMITS["title"]),
            description="```\n" + "\n".join([header, *chunk]).replace("`", "\u02cb") + "\n```",
            footer=f"{grid.meta.label}{page}",
        ),
    )
