"""Helpers shared by the core tests: the seed grid and small tables built by hand."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from bot.core.loader import load_grid
from bot.core.model import Grid
from bot.core.parser import parse_grid_text

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "2003-1000km-le-mans-qualifying.md"
SEED_TITLE = "2003 1000 km of Le Mans · Qualifying"
SEED_LABEL = f"{SEED_TITLE} · Gridbot library"
"""The seed's title as answers show it, with the library it comes from."""
SEED_CARS = 34


@cache
def seed_grid() -> Grid:
    """The shipped seed grid, with its sidecar metadata (parsed once per test run)."""
    return load_grid(SEED)


def row(*cells: str) -> str:
    """``row("1st", "8", ...)`` → ``"| 1st | 8 | ... |"``."""
    return "| " + " | ".join(cells) + " |"


def table(*rows: str | Sequence[str]) -> str:
    """Lines of a table; a sequence of cells becomes a row."""
    return "\n".join(r if isinstance(r, str) else row(*r) for r in rows) + "\n"


def small_grid(*rows: Sequence[str], name: str = "small.md") -> Grid:
    """A grid parsed from rows of cells (position, number, drivers, car, team, time)."""
    return parse_grid_text(table(*rows), name)


THREE = (
    ("1st", "8", "Jan Lammers / Andy Wallace", "Dome S101 Judd", "Racing For Holland", "1:28.380"),
    ("2nd", "14", "Thomas Erdos / Mike Newton", "MG Lola EX257", "RML", "1:29.533"),
    ("3rd", "4", "Jamie Campbell-Walter", "Lister Storm LMP", "Lister Racing", "1:29.900"),
)
"""Three valid rows, in position order and time order."""
