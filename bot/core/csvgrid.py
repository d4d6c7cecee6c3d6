"""Read a grid from CSV: a header row naming the columns, then one row per car.

The standard :mod:`csv` dialect (commas; quotes around cells holding commas, quotes or line
breaks; ``""`` for a quote inside one; CRLF or LF). Rows go through the same checks as a
Markdown table (:func:`bot.core.parser.grid_from_rows`). Errors carry the line a record starts
on, counting every physical line, including those inside a quoted cell.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.core.errors import GridFileError
from bot.core.model import Grid, GridMeta
from bot.core.parser import MAX_ROWS, Row, grid_from_rows


def csv_rows(text: str, path: Path | str) -> list[Row]:
    """Each non-blank record's starting line and its cells, stripped."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise _error(path, error, start, reader.line_num) from None
        cells = [cell.strip() for cell in record]
        if any(cells):
            rows.append((start, cells))
            if len(rows) > MAX_ROWS:
                break  # enough to say the grid has too many cars (see MAX_ROWS)
        start = reader.line_num + 1
    if not rows:
        raise GridFileError(path, None, "no rows found: the file is empty")
    return rows


def parse_csv_text(text: str, path: Path | str, meta: GridMeta | None = None) -> Grid:
    """Parse the text of one CSV grid; ``path`` names it in errors."""
    return grid_from_rows(csv_rows(text, path), path, meta, header_required=True)


def _error(path: Path | str, error: csv.Error, start: int, current: int) -> GridFileError:
    """A quote left open is reported where its record starts, anything else where it is."""
    message = str(error)
    if "unexpected end of data" in message:
        return GridFileError(
            path, start, 'a quoted cell opened in this row is never closed: end it with "'
        )
    if "field larger than field limit" in message:
        return GridFileError(path, start, "a cell is too long: is a quote left open in this row?")
    if "expected after" in message:
        return GridFileError(
            path, current, 'text after a closing quote: write "" for a quote inside a cell'
        )
    return GridFileError(path, current, f"malformed CSV: {message}")
