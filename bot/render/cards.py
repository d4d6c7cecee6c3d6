"""One renderer per answer, each producing a :class:`Card` that knows nothing of Discord.

A card holds Discord-flavoured Markdown with every piece of data and user text escaped; the
embed renderer hands it to Discord and the text renderer strips it for a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import singledispatch

from bot.core.answers import (
    AboutAnswer,
    DriverAnswer,
    EventsAnswer,
    Gap,
    GapAnswer,
    GridAnswer,
    HelpAnswer,
    ReloadAnswer,
    TableAnswer,
    TeamAnswer,
)
from bot.core.errors import QueryError
from bot.core.model import LIBRARY_NAMES, PRACTICE, RACE, SERVER, Entry, Grid
from bot.core.text import clip
from bot.core.times import format_gap, format_percent, format_time

BRAND = 0x2B7BB9
ERROR = 0xD9534F
LIMITS = {
    "title": 256,
    "description": 4096,
    "field_name": 256,
    "field_value": 1024,
    "fields": 25,
    "total": 6000,
}
"""Discord's embed limits."""

BETWEEN_NAMED = 5
"""``/gap`` names the cars between the two when there are this many or fewer."""
TABLE_ROWS = 25
"""Rows per page of the whole-grid table: one phone screen of monospace text."""

_MARKDOWN = re.compile(r"([\\*_~`|\[\]<>])")
_LINE_START = re.compile(r"^(\s*)([#>-])", re.MULTILINE)
_SCHEME = re.compile(r"(?<=[A-Za-z0-9]:)(?=//)")
"""Between ``https:`` (any scheme) and ``//``: a link needs them together."""
_INVITE = re.compile(r"(?<=discord)(?=\.)|(?<=discordapp)(?=\.)", re.IGNORECASE)
"""Between ``discord`` and ``.gg/…`` (or ``.com/invite/…``): invites link without a scheme."""


def escape(text: str) -> str:
    """Escape Markdown and defuse mentions and links in data or user text.

    A zero-width space keeps ``@everyone`` from pinging and ``https://…`` or ``discord.gg/…``
    from becoming a link; the text renderer removes it again.
    """
    escaped = _LINE_START.sub(r"\1\\\2", _MARKDOWN.sub(r"\\\1", text))
    escaped = _INVITE.sub("\u200b", _SCHEME.sub("\u200b", escaped))
    return escaped.replace("@", "@\u200b")


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True, slots=True)
class Card:
    """A rendered answer: the same content for an embed and for plain text."""

    title: str
    description: str = ""
    fields: tuple[Field, ...] = ()
    footer: str = ""
    colour: int = BRAND
    ephemeral: bool = False
    notes: tuple[str, ...] = field(default=())


def join_lines(lines: list[str], limit: int = 1024) -> str:
    """Join whole lines within ``limit`` characters, saying how many were left out."""
    kept: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        more = f"…and {len(lines) - index} more"
        if size + len(line) + 1 > limit - len(more) - 1 and index < len(lines) - 1:
            kept.append(more)
            break
        if size + len(line) > limit:
            kept.append(clip(more, limit - size))
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)


def no_time(entry: Entry) -> str:
    return format_time(entry.time) if entry.time is not None else "no time"


def drivers(entry: Entry) -> str:
    return " / ".join(escape(d.marker) + escape(d.name) for d in entry.drivers) or "—"


def legend_notes(grid: Grid, entries: tuple[Entry, ...]) -> tuple[str, ...]:
    """Footnotes for every driver marker that appears in ``entries``."""
    markers = sorted({d.marker for e in entries for d in e.drivers if d.marker})
    return tuple(
        f"{escape(m)} {escape(grid.meta.legend.get(m, 'marked in the source data'))}"
        for m in markers
    )


def ref(entry: Entry) -> str:
    """How answers name a car: ``#14``, or its first driver when the file gives no number."""
    if entry.number:
        return f"#{escape(entry.number)}"
    return escape(entry.drivers[0].name) if entry.drivers else f"P{entry.position}"


def car_line(entry: Entry) -> str:
    """``P5 · #14 · MG Lola EX257 · 1:29.533``."""
    car = f" · {escape(entry.car)}" if entry.car else ""
    return f"P{entry.position} · **{ref(entry)}**{car} · {no_time(entry)}"


def in_part(gap: Gap) -> str:
    """`` in Q2`` for a gap measured within one part of qualifying, else nothing."""
    return f" in {escape(gap.part)}" if gap.part else ""


def gap_text(gap: Gap | None, other: Entry) -> str:
    """The gap to another car, from this car's point of view (by time, not by position)."""
    who = f"{ref(other)}, P{other.position}"
    if gap is None:
        return f"no gap to {who}: {'this car' if other.time is not None else 'it'} set no time"
    if gap.level:
        return f"level with {who}{in_part(gap)}"
    word = "behind" if gap.faster is other else "ahead of"
    return f"{format_gap(gap.ticks)} ({format_percent(gap.percent)}) {word} {who}{in_part(gap)}"


def pole_text(entry: Entry, grid: Grid, to_pole: Gap | None) -> tuple[str, str]:
    """The pole field: its name and value, honest when the published order is not by time.
    In practice, P1 is the fastest car, not pole."""
    first, gap_to = (
        ("Fastest", "Gap to P1") if grid.kind == PRACTICE else ("Pole position", "Gap to pole")
    )
    fastest = grid.fastest
    if entry.position == 1:
        if fastest is None or entry.time == fastest.time or entry.parts:
            return first, "fastest in the session"
        return first, f"first on the grid; {ref(fastest)} was faster"
    if to_pole is None:
        return (
            gap_to,
            "no time"
            if entry.time is None
            else f"the {'P1' if grid.kind == PRACTICE else 'pole'} car set no time",
        )
    if to_pole.level:
        return gap_to, f"0.000 s (level){in_part(to_pole)}"
    sign = "+" if to_pole.faster is grid.pole else "-"
    return gap_to, (
        f"{sign}{format_gap(to_pole.ticks)} ({sign}{format_percent(to_pole.percent)})"
        f"{in_part(to_pole)}"
    )


@singledispatch
def card_for(answer: object) -> Card:
    """The card for any answer object."""
    raise TypeError(f"no renderer for {type(answer).__name__}")


@card_for.register
def _grid(answer: GridAnswer) -> Card:
    entry, grid = answer.entry, answer.grid
    if grid.kind == RACE:
        from bot.render import race  # race.py builds on this module's helpers

        return race.grid_card(answer)
    best = f"{no_time(entry)} ({escape(entry.part)})" if entry.parts else no_time(entry)
    fields = [Field("Best lap", best, inline=True)]
    name, value = pole_text(entry, grid, answer.to_pole)
    fields.append(Field(name, value, inline=True))
    ahead = grid.at(entry.position - 1)
    behind = grid.at(entry.position + 1)
    if ahead is not None:
        fields.append(Field("To the car ahead", gap_text(answer.to_ahead, ahead)))
    if behind is not None:
        fields.append(Field("To the car behind", gap_text(answer.to_behind, behind)))
    rank = answer.class_rank
    if rank is not None:
        if rank.pole is entry:
            value = f"class pole, P1 of {rank.size}"
        else:
            value = f"P{rank.position} of {rank.size} · {gap_text(rank.to_pole, rank.pole)}"
        fields.append(Field(f"Class {escape(rank.name)}", value))
    for other in answer.level_with:
        fields.append(
            Field(
                "Level",
                f"same time as {ref(other)}, P{other.position} — order as published",
            )
        )
    return Card(
        title=clip(
            f"P{entry.position} · {ref(entry)} {escape(entry.car)}".strip(), LIMITS["title"]
        ),
        description=(f"**{escape(entry.team)}**\n" if entry.team else "") + drivers(entry),
        fields=tuple(fields),
        footer=grid.meta.label,
        notes=legend_notes(grid, (entry,)),
    )


def _matches(
    grid: Grid,
    query: str,
    guessed: bool,
    kind: str,
    groups: list[tuple[str, str, tuple[Entry, ...]]],
) -> Card:
    """Teams or drivers that a typed name matched: (name, field title, entries) each."""
    names = [name for name, _title, _entries in groups]
    echoed = escape(clip(query, 40))
    if guessed:
        shown = " and ".join(f"**{escape(n)}**" for n in names)
        description = f"Showing {shown} for *{echoed}*."
    elif len(names) > 1:
        description = f"{len(names)} {kind}s match *{echoed}*."
    else:
        description = ""
    fields = []
    entries: list[Entry] = []
    for _name, field_title, rows in groups[: LIMITS["fields"]]:
        entries.extend(rows)
        lines = [
            f"{car_line(e)}\n{drivers(e)}"
            if kind == "team"
            else f"{car_line(e)}\n" + " · ".join(p for p in (escape(e.team), drivers(e)) if p)
            for e in rows
        ]
        fields.append(Field(clip(field_title, LIMITS["field_name"]), join_lines(lines)))
    title = (
        escape(names[0])
        if len(names) == 1
        else f"{kind.title()}s matching “{escape(clip(query, 60))}”"
    )
    return Card(
        title=clip(title, LIMITS["title"]),
        description=description,
        fields=tuple(fields),
        footer=grid.meta.label,
        notes=legend_notes(grid, tuple(entries)),
    )


def _entries_label(name: str, rows: tuple[Entry, ...]) -> str:
    return f"{escape(name)} · {len(rows)} {'entry' if len(rows) == 1 else 'entries'}"


@card_for.register
def _team(answer: TeamAnswer) -> Card:
    groups = [(t.team, _entries_label(t.team, t.entries), t.entries) for t in answer.teams]
    return _matches(answer.grid, answer.query, answer.guessed, "team", groups)


@card_for.register
def _gap(answer: GapAnswer) -> Card:
    first, second, gap = answer.first, answer.second, answer.gap
    if answer.finish is not None:
        from bot.render import race  # race.py builds on this module's helpers

        return race.gap_card(answer)
    title = f"{ref(first)} vs {ref(second)}"
    if gap is None:
        missing = [ref(e) for e in (first, second) if e.time is None]
        description = (
            f"No gap: {' and '.join(missing)} set no time."
            if missing
            else "No gap: they set no time in the same part."
        )
    elif gap.level:
        title += " · level"
        base = gap.base if gap.base is not None else gap.faster.time or 0
        description = (
            f"**Level**: {ref(first)} and {ref(second)} set the same time, "
            f"{format_time(base)}{in_part(gap)}; {ref(gap.faster)} is ahead as published."
        )
    else:
        title += f" · {format_gap(gap.ticks)}"
        description = (
            f"**{ref(gap.faster)}** was faster by **{format_gap(gap.ticks)}** "
            f"({format_percent(gap.percent)}){in_part(gap)}."
        )
    verb = "qualified" if answer.grid.kind != PRACTICE else "were classified"
    between = between_text(answer.between, f"none — they {verb} side by side")
    fields = (
        *(
            Field(
                f"P{e.position} · {ref(e)}",
                "\n".join(
                    line
                    for line in (escape(e.car), team_unless_car(e), no_time(e) + _part_of(e))
                    if line
                ),
                inline=True,
            )
            for e in (first, second)
        ),
        Field("Between them", between),
    )
    return Card(
        title=clip(title, LIMITS["title"]),
        description=description,
        fields=fields,
        footer=answer.grid.meta.label,
    )


@card_for.register
def _error(error: QueryError) -> Card:
    description = escape(error.message)
    if error.suggestions:
        description += "\nClosest: " + ", ".join(escape(s) for s in error.suggestions)
    return Card(title="Sorry", description=description, colour=ERROR, ephemeral=True)


@card_for.register
def _driver(answer: DriverAnswer) -> Card:
    groups = [(d.driver, escape(d.driver), d.entries) for d in answer.drivers]
    return _matches(answer.grid, answer.query, answer.guessed, "driver", groups)


def table_pages(answer: TableAnswer, rows: int = TABLE_ROWS, team_width: int = 24) -> list[Card]:
    """The whole grid as aligned monospace pages of ``rows`` cars each.

    Each column is as wide as its longest cell; team names beyond ``team_width`` characters
    are clipped, so that a row (about 50 characters) stays on one line of a phone. A time
    shared with another car is marked ``=`` before the position, as on the chart.
    """
    grid = answer.grid
    if grid.kind == RACE:
        from bot.render import race  # race.py builds on this module's helpers

        return race.table_pages(answer, rows)
    pole = grid.pole.time
    pole_part = grid.pole.part
    shared: dict[int, int] = {}
    for e in grid.entries:
        if e.time is not None:
            shared[e.time] = shared.get(e.time, 0) + 1
    cells = [("P", "Car", "Team", "Time", "Gap")]
    for e in grid.entries:
        if e.time is None:
            gap = ""
        elif e.position == 1 or pole is None:
            gap = ("pole" if grid.kind != PRACTICE else "") if e.position == 1 else ""
        elif e.part != pole_part:
            gap = e.part  # measured in an earlier part of qualifying than pole's
        else:
            gap = format_gap(e.time - pole, signed=True).removesuffix(" s")
        level = "=" if e.time is not None and shared[e.time] > 1 else ""
        team = clip(e.team, team_width)
        car = clip(f"#{e.number}" if e.number else (e.drivers[0].name if e.drivers else ""), 14)
        cells.append((f"{level}{e.position}", car, team, no_time(e), gap))
    header, lines = table_text(cells, (">", "<", "<", ">", ">"))
    width0 = max(len(row[0]) for row in cells)
    level_note = "= the same time as another car; the order is as published"
    return paged(
        lines,
        rows,
        lambda chunk, page: Card(
            title=clip(f"{grid.meta.title} · {len(grid)} cars", LIMITS["title"]),
            description="```\n" + "\n".join([header, *chunk]).replace("`", "\u02cb") + "\n```",
            footer=f"{grid.meta.label}{page}",
            notes=(level_note,) if any("=" in line[:width0] for line in chunk) else (),
        ),
    )


def table_text(cells: Sequence[tuple[str, ...]], align: tuple[str, ...]) -> tuple[str, list[str]]:
    """Rows of cells as aligned monospace lines, each column as wide as its widest cell: the
    header line and the others."""
    width = [max(len(row[column]) for row in cells) for column in range(len(align))]
    header, *lines = [
        " ".join(f"{cell:{a}{w}}" for cell, a, w in zip(row, align, width, strict=True)).rstrip()
        for row in cells
    ]
    return header, lines


def between_text(between: tuple[Entry, ...], none: str) -> str:
    """The cars classified between two: ``2 cars (P2–P3) — #16 Ferrari, #22 …``, or ``none``."""
    if not between:
        return none
    low, high = between[0].position, between[-1].position
    span = f"P{low}" if low == high else f"P{low}–P{high}"
    text = f"{len(between)} car{'s' if len(between) != 1 else ''} ({span})"
    if len(between) <= BETWEEN_NAMED:
        text += " — " + ", ".join(f"{ref(e)} {escape(e.car)}".strip() for e in between)
    return text


def team_unless_car(entry: Entry) -> str:
    """The team, unless it is the car's own name again (an F1 table's constructor is both)."""
    return escape(entry.team) if entry.team != entry.car else ""


def _part_of(entry: Entry) -> str:
    return f" ({escape(entry.part)})" if entry.part else ""


def paged(lines: list[str], per_page: int, card: Callable[[list[str], str], Card]) -> list[Card]:
    """Cards of ``per_page`` lines each; ``card`` gets the lines and a " · page 2/3" suffix."""
    chunks = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    return [
        card(chunk, f" · page {number}/{len(chunks)}" if len(chunks) > 1 else "")
        for number, chunk in enumerate(chunks, start=1)
    ]


@card_for.register
def _table(answer: TableAnswer) -> Card:
    return table_pages(answer)[0]


@card_for.register
def _help(answer: HelpAnswer) -> Card:
    fields = []
    for command in answer.commands[: LIMITS["fields"]]:
        usage = " ".join(
            f"{name}" if required else f"[{name}]" for name, _d, required in command.options
        )
        lines = [escape(command.description)]
        lines += [f"· {escape(name)}: {escape(desc)}" for name, desc, _r in command.options]
        if command.example:
            lines.append(f"Example: `{command.example}`")
        fields.append(Field(clip(f"/{command.name} {usage}".strip(), 256), "\n".join(lines)))
    return Card(
        title="Gridbot commands",
        description="Type `/` and pick a command; options suggest values as you type.",
        fields=tuple(fields),
        ephemeral=True,
    )


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    shown = [f"{n}{unit}" for n, unit in parts if n] or ["0s"]
    return " ".join(shown[:2])


@card_for.register
def _about(answer: AboutAnswer) -> Card:
    loaded = datetime.fromtimestamp(answer.loaded_at, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    grids = []
    for key, grid in answer.grids[:10]:
        source = grid.meta.source.name if grid.meta.source else key
        grids.append(f"**{escape(grid.meta.title)}** · {len(grid)} cars · {escape(source)}")
    if len(answer.grids) > 10:
        grids.append(f"…and {len(answer.grids) - 10} more")
    latency = f"{answer.latency * 1000:.0f} ms" if answer.latency is not None else "not connected"
    return Card(
        title=f"Gridbot {answer.version}",
        description="Answers questions about motorsport qualifying grids, to the thousandth.",
        fields=(
            Field(f"Grids loaded ({len(answer.grids)})", clip("\n".join(grids), 1024)),
            Field("Loaded", loaded, inline=True),
            Field("Uptime", _duration(answer.uptime), inline=True),
            Field("Gateway latency", latency, inline=True),
        ),
    )


EVENTS_PER_PAGE = 15


def event_pages(answer: EventsAnswer, per_page: int = EVENTS_PER_PAGE) -> list[Card]:
    """Every grid the asker can see, this server's own first: name, session, cars, pole time,
    library; the default marked; this server's files that cannot be served, with why."""
    lines = []
    grids = sorted(answer.grids, key=lambda kv: kv[1].meta.library != SERVER)
    for key, grid in grids:
        pole = grid.pole
        if grid.kind == RACE:
            time = f"winner {ref(pole)}"
        else:
            word = "fastest" if grid.kind == PRACTICE else "pole"
            time = f"{word} {no_time(pole)} ({ref(pole)})" if pole.time is not None else ""
        mark = " · default" if grid is answer.default else ""
        library = LIBRARY_NAMES[grid.meta.library]
        lines.append(
            f"**{escape(grid.meta.title)}**{mark}\n"
            f"{len(grid)} cars · {time} · {library} · event: {escape(key)}"
        )
    for broken in answer.unavailable:
        lines.append(
            f"**{escape(broken.key)}** · unavailable\n{escape(broken.filename)} "
            f"v{broken.version} cannot be served: {escape(clip(broken.error, 300))}"
        )
    own = sum(1 for _key, grid in answer.grids if grid.meta.library == SERVER)
    counts = f"{own} from this server, {len(answer.grids) - own} from Gridbot" if own else ""
    return paged(
        lines,
        per_page,
        lambda chunk, page: Card(
            title=f"Grids you can ask about ({len(answer.grids)})",
            description=clip("\n".join(chunk), LIMITS["description"]),
            footer=" · ".join(
                p for p in (counts, f"Pick one with the event option of any command{page}") if p
            ),
        ),
    )


@card_for.register
def _events(answer: EventsAnswer) -> Card:
    return event_pages(answer)[0]


@card_for.register
def _reload(answer: ReloadAnswer) -> Card:
    if answer.error:
        return Card(
            title=f"{answer.title} failed: nothing changed",
            description=f"{escape(answer.error)}\n\n"
            + (answer.kept or f"Still serving the {answer.serving} grid(s) loaded before."),
            colour=ERROR,
            ephemeral=True,
        )
    fields = [
        Field(label, clip(", ".join(escape(k) for k in keys), 1024))
        for label, keys in (
            ("Added", answer.added),
            ("Removed", answer.removed),
            ("Changed", answer.changed),
        )
        if keys
    ]
    summary = "No grid changed." if not fields else ""
    return Card(
        title=answer.title,
        description=f"{summary} Serving {answer.serving} grid(s).".strip(),
        fields=tuple(fields),
        ephemeral=True,
    )


# The renderers of a server's library (/import, /remove, /restore, /history, /settings)
# register themselves with card_for when imported.
from bot.render import library as _library  # noqa: E402, F401
