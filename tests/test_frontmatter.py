"""Metadata: TOML front matter in a Markdown grid, a TOML sidecar, both, or neither."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bot.core.errors import GridFileError
from bot.core.loader import load_grid, meta_from_name
from bot.core.parser import parse_grid_text
from tests.core_fixtures import SEED, THREE, table

FRONT = """\
+++
event = "1000 km of Le Mans"
year = 2003
session = "Qualifying"
circuit = "Circuit de la Sarthe"
date = 2003-07-19
[legend]
"*" = "rookie"
+++
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def failure(path: Path) -> GridFileError:
    with pytest.raises(GridFileError) as caught:
        load_grid(path)
    return caught.value


def test_front_matter_gives_the_metadata(tmp_path: Path) -> None:
    path = write(tmp_path, "lm.md", FRONT + table(*THREE))
    meta = load_grid(path).meta
    assert meta.title == "2003 1000 km of Le Mans · Qualifying"
    assert (meta.circuit, meta.date) == ("Circuit de la Sarthe", "2003-07-19")
    assert dict(meta.legend) == {"*": "rookie"}
    assert meta.source == path


def test_rows_after_front_matter_keep_the_file_line_numbers(tmp_path: Path) -> None:
    text = "\n" + FRONT + "\n| Pos | No | Driver | Car | Team | Time |\n|---|---|---|---|---|---|\n"
    text += table(*THREE)
    grid = load_grid(write(tmp_path, "lm.md", text))
    assert [e.line for e in grid.entries] == [14, 15, 16]
    bad = text.replace("1:29.533", "1:29,533")
    error = failure(write(tmp_path, "bad.md", bad))
    assert (error.path.name, error.line) == ("bad.md", 15)


def test_parse_grid_text_skips_front_matter_on_the_same_lines() -> None:
    grid = parse_grid_text(FRONT + table(*THREE), "lm.md")
    assert [e.line for e in grid.entries] == [10, 11, 12]
    assert grid.meta.event == "lm"


def test_neither_sidecar_nor_front_matter_names_the_grid_from_its_file(tmp_path: Path) -> None:
    path = write(tmp_path, "1999-petit-le-mans-race.md", table(*THREE))
    meta = load_grid(path).meta
    assert meta == meta_from_name(path)
    assert meta.title == "1999 Petit Le Mans · Race"


def test_a_sidecar_alone(tmp_path: Path) -> None:
    path = write(tmp_path, "1999-petit-le-mans-race.md", table(*THREE))
    write(tmp_path, "1999-petit-le-mans-race.toml", 'event = "Petit Le Mans"\nyear = 2000\n')
    meta = load_grid(path).meta
    assert meta.title == "2000 Petit Le Mans · Race"


def test_the_sidecar_wins_key_by_key_and_legends_merge(tmp_path: Path) -> None:
    path = write(tmp_path, "lm.md", FRONT.replace('[legend]\n"*"', '[legend]\n"†" = "guest"\n"*"'))
    path.write_text(path.read_text("utf-8") + table(*THREE), "utf-8")
    write(tmp_path, "lm.toml", 'session = "Pre-qualifying"\n[legend]\n"*" = "reserve"\n')
    meta = load_grid(path).meta
    assert meta.session == "Pre-qualifying"  # from the sidecar
    assert (meta.event, meta.year, meta.circuit) == (
        "1000 km of Le Mans",  # from the front matter
        2003,
        "Circuit de la Sarthe",
    )
    assert dict(meta.legend) == {"*": "reserve", "†": "guest"}


@pytest.mark.parametrize(
    ("front", "line", "problem"),
    [
        ('+++\nevent = "Le Mans\nyear = 2003\n+++\n', 2, "invalid TOML"),
        ("+++\nyear = 2003\nyear = 2004\n+++\n", 3, "invalid TOML"),
        ('\n+++\nevent = "Le Mans"\nyear = "2003"\n+++\n', 4, "'year' must be a whole number"),
        ("+++\nyear = true\n+++\n", 2, "'year'"),
        ('+++\nevent = "x"\n[legend]\n"*" = 1\n+++\n', 3, "'legend'"),
        ("+++\nevent = 2003\n+++\n", 2, "'event' must be a string"),
        ('+++\nevent = "Le Mans"\n', 1, "never closed"),
        ('---\nevent: "Le Mans"\n---\n', 1, "'+++'"),
    ],
)
def test_invalid_front_matter_names_the_file_and_line(
    tmp_path: Path, front: str, line: int, problem: str
) -> None:
    path = write(tmp_path, "grid.md", front + table(*THREE))
    error = failure(path)
    assert error.path == path
    assert error.line == line
    assert problem in error.problem


def test_an_invalid_sidecar_names_the_sidecar_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "grid.md", FRONT + table(*THREE))
    sidecar = write(tmp_path, "grid.toml", '# note\nevent = "Spa"\nyear = "1999"\n')
    error = failure(path)
    assert (error.path, error.line) == (sidecar, 3)
    assert "'year' must be a whole number" in error.problem


def test_front_matter_and_no_table(tmp_path: Path) -> None:
    error = failure(write(tmp_path, "grid.md", FRONT + "\n"))
    assert error.line is None
    assert "no table rows found after the front matter" in error.problem


def test_the_seed_is_still_the_published_table_with_a_sidecar() -> None:
    data = SEED.read_bytes()
    assert hashlib.sha256(data).hexdigest() == (
        "44946dcd6105f959f03360f4ee76deb4c92181c8b103663a15c2e8b341f4bd0f"
    )
    assert not data.startswith(b"+++")
    assert SEED.with_suffix(".toml").is_file()
