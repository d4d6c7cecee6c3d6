"""Draw a :class:`ChartData` as a PNG for Discord's dark theme, with matplotlib's Agg backend.

matplotlib is imported inside the functions, so the bot starts without it and pays for it on
the first chart. Only ``Figure`` objects are used (never pyplot), one per call, so charts can
be drawn in several threads at once.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from bot.charts.data import HIGHLIGHT_COLOUR, ChartData
from bot.core.times import format_time

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.text import Text

WIDTH = 1200
DPI = 100
MARGIN = 32
HEADER = 124
LEGEND = 50
ROW = 46
AXIS = 54
NOTE_LINE = 32
BOTTOM = 26
LABEL_WIDTH = 540
"""Pixels left of the bars for position, car number and team."""
PLACE_RIGHT, NUMBER_RIGHT, TEAM_LEFT = 78, 176, 192
"""Where the label columns end (position, number) or start (team), from the left margin."""
VALUE_ROOM = 140
"""Pixels right of the longest bar for its gap."""

BACKGROUND = "#2B2D31"
STRIPE = "#313338"
TEXT = "#F2F3F5"
MUTED = "#B5BAC1"
GRIDLINE = "#4E5058"
DIMMED = 0.4
"""Opacity of the cars not highlighted, when some are."""

SAMPLE = 24
"""Characters of a label measured to guess how many fit (see ``_Page.fitted``)."""
PLAIN: dict[str, Any] = {"parse_math": False, "usetex": False}
"""Every text is drawn as written: a team named ``$\\undefinedmacro$`` is text, not a TeX
formula that makes matplotlib raise."""

TITLE_PX, SUBTITLE_PX, LABEL_PX, VALUE_PX, TICK_PX, NOTE_PX = 34, 22, 24, 22, 20, 21
"""Font sizes in pixels: big enough to read on a phone, where the picture is shrunk."""


def canvas_size(data: ChartData) -> tuple[int, int]:
    """The PNG's width and height in pixels: fixed width, a row per car, a line per note."""
    return WIDTH, (
        _plot_top(data) + ROW * len(data.bars) + AXIS + NOTE_LINE * len(data.notes) + BOTTOM
    )


def render_png(data: ChartData) -> bytes:
    """The chart as PNG bytes, exactly :func:`canvas_size` pixels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width, height = canvas_size(data)
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor=BACKGROUND)
    renderer = FigureCanvasAgg(fig).get_renderer()  # type: ignore[no-untyped-call]  # Agg: untyped in matplotlib
    page = _Page(fig, renderer, width, height)
    ax = _axes(page, data)
    _bars(page, ax, data)
    _header(page, data)
    if _has_legend(data):
        _legend(page, data)
    notes_top = _plot_top(data) + ROW * len(data.bars) + AXIS
    for n, note in enumerate(data.notes):
        page.text(MARGIN, notes_top + NOTE_LINE * (n + 0.5), note, px=NOTE_PX, color=MUTED)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, facecolor=BACKGROUND, metadata={"Software": None})
    return out.getvalue()


def _pt(px: float) -> float:
    """A size in pixels as matplotlib points at this DPI."""
    return px * 72 / DPI


def _has_legend(data: ChartData) -> bool:
    return bool(data.legend or data.highlighted)


def _plot_top(data: ChartData) -> int:
    return HEADER + (LEGEND if _has_legend(data) else 0)


class _Page:
    """A figure addressed in pixels from its top-left corner."""

    def __init__(self, fig: Figure, renderer: RendererBase, width: int, height: int) -> None:
        self.fig, self.renderer, self.width, self.height = fig, renderer, width, height

    def x(self, px: float) -> float:
        return px / self.width

    def y(self, px_from_top: float) -> float:
        return 1 - px_from_top / self.height

    def text(
        self, x: float, y: float, text: str, *, px: float, fit: float = 0, **style: Any
    ) -> Text:
        """Text centred on ``y``; cut with an ellipsis to ``fit`` pixels wide, if given.

        No line of the chart holds more than :data:`LONGEST` characters, so longer text is cut
        to that before anything is measured (measuring and drawing cost time with length)."""
        if len(text) > LONGEST:
            text = text[: LONGEST - 1] + "…"
        return self.fitted(
            self.fig.text(
                self.x(x), self.y(y), text, fontsize=_pt(px), va="center", **PLAIN, **style
            ),
            fit or self.width - MARGIN - x,
        )

    def fitted(self, artist: Text, width: float) -> Text:
        """Shorten the artist's text with an ellipsis until it is ``width`` wide.

        The first :data:`SAMPLE` characters are measured once to guess how many fit; the
        longest cut that fits is then found by halving around the guess. A handful of short
        measurements, however long the text (measuring costs time with its length)."""
        full = artist.get_text()
        artist.set_text(full[:SAMPLE])
        sample = self._width(artist)
        if len(full) <= SAMPLE and sample <= width:
            return artist
        guess = max(1, int(width * min(len(full), SAMPLE) / max(sample, 1.0)))
        # Text is about as wide per character as the sample: look within a quarter of the
        # guess first, and widen only when the guess was that far off.
        too_long = min(len(full), guess + guess // 4 + 2)
        if self._fits(artist, full, too_long, width):
            if too_long == len(full):
                return artist
            fits, too_long = too_long, min(len(full), 2 * guess + 2)
            if self._fits(artist, full, too_long, width):
                return artist
        else:
            fits = max(1, guess - guess // 4 - 1)
            if not self._fits(artist, full, fits, width):
                fits, too_long = 1, fits
        keep = (fits + too_long) // 2
        while too_long - fits > 1:
            if self._fits(artist, full, keep, width):
                fits = keep
            else:
                too_long = keep
            keep = (fits + too_long) // 2
        artist.set_text(_cut(full, fits))
        return artist

    def _fits(self, artist: Text, full: str, keep: int, width: float) -> bool:
        artist.set_text(full if keep >= len(full) else _cut(full, keep))
        return self._width(artist) <= width

    def _width(self, artist: Text) -> float:
        return float(artist.get_window_extent(self.renderer).width)


LONGEST = 200
"""More characters than the widest line of a chart can show at its smallest type."""


def _cut(text: str, keep: int) -> str:
    return text[:keep].rstrip() + "…"


def _axes(page: _Page, data: ChartData) -> Axes:
    """The plotting area: seconds across, one row per car down, pole at the top."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    rows = len(data.bars)
    plot_width = page.width - LABEL_WIDTH - MARGIN
    bottom = _plot_top(data) + rows * ROW
    ax = page.fig.add_axes(
        (page.x(LABEL_WIDTH), page.y(bottom), plot_width / page.width, rows * ROW / page.height)
    )
    ax.patch.set_alpha(0)
    ax.set_ylim(rows - 0.5, -0.5)
    longest = max((bar.seconds or 0.0 for bar in data.bars), default=0.0) or 1.0
    ax.set_xlim(0, longest * plot_width / (plot_width - VALUE_ROOM))
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.tick_params(axis="x", length=0, colors=MUTED, labelsize=_pt(TICK_PX), pad=8)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"+{x:g} s" if x else "0"))
    ax.xaxis.grid(True, color=GRIDLINE, linewidth=1, linestyle=(0, (4, 4)))
    ax.set_axisbelow(True)
    ax.axvline(0, color=MUTED, linewidth=1.5, zorder=2)
    return ax


def _bars(page: _Page, ax: Axes, data: ChartData) -> None:
    """Each car's row: striped background, label columns, bar and gap (or "no time")."""
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import blended_transform_factory

    row = blended_transform_factory(page.fig.transFigure, ax.transData)
    emphasis = any(bar.highlighted for bar in data.bars)
    for i, bar in enumerate(data.bars):
        if i % 2 == 0:
            stripe = Rectangle(
                (page.x(MARGIN - 12), i - 0.5),
                page.x(page.width - 2 * MARGIN + 24),
                1,
                transform=row,
                color=STRIPE,
                zorder=-1,
            )
            page.fig.add_artist(stripe)
        lit = not emphasis or bar.highlighted
        colour = HIGHLIGHT_COLOUR if bar.highlighted else (TEXT if lit else MUTED)
        weight = "bold" if bar.highlighted else "normal"
        label: dict[str, Any] = {
            "color": colour,
            "fontsize": _pt(LABEL_PX),
            "va": "center",
            "transform": row,
            **PLAIN,
        }
        page.fig.text(page.x(MARGIN + PLACE_RIGHT), i, bar.place, ha="right", **label)
        number = f"#{bar.number}"
        page.fig.text(page.x(MARGIN + NUMBER_RIGHT), i, number, ha="right", weight="bold", **label)
        team = page.fig.text(page.x(MARGIN + TEAM_LEFT), i, bar.team, weight=weight, **label)
        page.fitted(team, LABEL_WIDTH - MARGIN - TEAM_LEFT - 14)
        value: dict[str, Any] = {
            "xytext": (_pt(10), 0),
            "textcoords": "offset points",
            "va": "center",
            "fontsize": _pt(VALUE_PX),
            **PLAIN,
        }
        if bar.seconds is None:
            ax.annotate("no time", (0, i), color=MUTED, style="italic", **value)
            continue
        outlined = bool(bar.highlighted and bar.car_class)
        ax.barh(
            i,
            bar.seconds,
            height=0.7,
            color=bar.colour,
            alpha=1.0 if lit else DIMMED,
            edgecolor=TEXT if outlined else "none",
            linewidth=2.5 if outlined else 0,
            zorder=3,
        )
        ax.annotate(bar.value, (bar.seconds, i), color=colour, weight=weight, **value)


def _header(page: _Page, data: ChartData) -> None:
    """The session as the title; pole's time and what is charted under it."""
    page.text(MARGIN, 36, data.title, px=TITLE_PX, color=TEXT, weight="bold")
    scope = f"all {data.cars} cars" if data.top == data.cars else f"top {data.top} of {data.cars}"
    parts = ["Gap to pole, seconds", scope]
    fastest = data.fastest
    if fastest is not None and fastest.time is not None:
        what = "Pole" if data.fastest_is_pole else "Fastest"
        parts.insert(1, f"{what} {format_time(fastest.time)} · #{fastest.number} {fastest.team}")
    page.text(MARGIN, 88, "   ·   ".join(parts), px=SUBTITLE_PX, color=MUTED)


def _legend(page: _Page, data: ChartData) -> None:
    """A row of swatches: each class's colour, then what is highlighted."""
    from matplotlib.patches import Rectangle

    middle = HEADER + LEGEND / 2 - 8
    items = [(name, colour, False) for name, colour in data.legend]
    if data.highlighted:
        colour = data.highlighted[0].colour if data.legend else HIGHLIGHT_COLOUR
        items.append((f"highlighted: {data.highlight}", colour, True))
    x, swatch = float(MARGIN), 20
    for name, colour, highlight in items:
        if x > page.width - MARGIN - 80:
            break
        box = Rectangle(
            (page.x(x), page.y(middle + swatch / 2)),
            page.x(swatch),
            swatch / page.height,
            transform=page.fig.transFigure,
            facecolor=colour,
            edgecolor=TEXT if highlight and data.legend else "none",
            linewidth=2,
        )
        page.fig.add_artist(box)
        label = page.text(
            x + swatch + 10,
            middle,
            name,
            px=LABEL_PX,
            color=HIGHLIGHT_COLOUR if highlight else TEXT,
            weight="bold" if highlight else "normal",
        )
        x += swatch + 10 + label.get_window_extent(page.renderer).width + 32
