"""``python -m bot check``: a line per grid, warnings with their lines, errors, exit status."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.core.checks import GridWarning, grid_warnings
from tests.core_fixtures import SEED, THREE, small_grid, table

HEADER = "Pos,No,Driver,Car,Team,Time"


pytestmark = pytest.mark.usefixtures("no_settings")


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# The pure warnings.


def test_a_clean_grid_has_no_warnings() -> None:
    assert grid_warnings(small_grid(*THREE)) == []


def test_level_times_are_not_out_of_order() -> None:
    rows = (THREE[0], (*THREE[1][:5], "1:28.380"), THREE[2])
    assert grid_warnings(small_grid(*rows)) == []


def test_a_faster_car_behind_a_slower_one() -> None:
    rows = (THREE[0], (*THREE[1][:5], "1:30.100"), THREE[2])
    assert grid_warnings(small_grid(*rows)) == [
        GridWarning(
            3, "#4 (P3, 1:29.900) is faster than #14 (P2, 1:30.100), which is placed ahead of it"
        )
    ]


def test_no_time_cars_belong_at_the_back() -> None:
    rows = ((*THREE[0][:5], "NT"), THREE[1], THREE[2], ("4th", "9", "D", "Car", "Team", "-"))
    warnings = grid_warnings(small_grid(*rows))
    assert warnings == [
        GridWarning(1, "#8 (P1) has no time but is placed ahead of #14 (P2, 1:29.533)")
    ]


def test_a_driver_listed_twice_in_one_entry() -> None:
    rows = (THREE[0], (*THREE[1][:2], "Thomas Erdos / *THOMAS ERDOS", *THREE[1][3:]), THREE[2])
    assert grid_warnings(small_grid(*rows)) == [
        GridWarning(2, "THOMAS ERDOS is listed twice for #14")
    ]


def test_one_team_spelled_two_ways() -> None:
    rows = (
        ("1st", "2", "A", "Courage C60", "Courage Compétition", "1:29.000"),
        ("2nd", "13", "B", "Courage C60", "Courage Competition", "1:29.100"),
        ("3rd", "17", "C", "Courage C60", "courage compétition", "1:29.200"),
        ("4th", "18", "D", "Courage C60", "Courage Competition", "1:29.300"),
    )
    warnings = grid_warnings(small_grid(*rows))
    assert [w.line for w in warnings] == [2, 3]
    assert "'Courage Competition' (#13) is also spelled 'Courage Compétition' (#2, line 1)" in (
        warnings[0].problem
    )
    assert "'courage compétition'" in warnings[1].problem


# The command.


def test_check_the_shipped_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SEED.parent)]) == 0
    out = capsys.readouterr().out
    assert f"ok: {SEED}: 2003 1000 km of Le Mans · Qualifying, 34 cars, pole #5 1:27.898\n" in out
    assert out.endswith("checked 1 file: 0 errors, 0 warnings\n")


def test_without_paths_check_reads_the_data_directory(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = write(tmp_path / "grids", "2004-spa-race.md", table(*THREE))
    monkeypatch.setenv("GRIDBOT_DATA_DIR", str(path.parent))
    assert main(["check"]) == 0
    race = "2004 Spa · Race, 3 cars, winner #8, fastest lap 1:28.380"
    assert f"ok: {path}: {race}" in capsys.readouterr().out


def test_warnings_are_listed_and_do_not_fail(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = ((*THREE[0][:5], "1:30.000"), (*THREE[1][:4], "rml", "NT"), THREE[2])
    md = write(tmp_path, "a.md", table(*rows))
    assert main(["check", str(md)]) == 0
    out = capsys.readouterr().out
    assert f"ok: {md}: A, 3 cars, pole #8 1:30.000\n" in out
    assert f"  warning: {md}:2: #14 (P2) has no time but is placed ahead of #4" in out
    assert f"  warning: {md}:3: #4 (P3, 1:29.900) is faster than #8 (P1, 1:30.000)" in out
    assert out.endswith("checked 1 file: 0 errors, 2 warnings\n")


def test_errors_name_file_and_line_and_fail(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = write(tmp_path, "a.md", table(*THREE))
    bad_csv = write(tmp_path, "b.csv", f"{HEADER}\n1,8,A,Car,Team,1:28.380\n2,14,B,Car,Team,soon\n")
    bad_md = write(tmp_path / "more", "c.md", "\n" + table(THREE[0], THREE[0]))
    assert main(["check", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert f"ok: {good}: " in captured.out
    assert f"error: {bad_csv}:3: cannot read the lap time 'soon'" in captured.err
    assert f"error: {bad_md}:3: duplicate position 1 (already on line 2)" in captured.err
    assert captured.out.endswith("checked 3 files: 2 errors, 0 warnings\n")


def test_every_path_given_is_checked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    first = write(tmp_path, "a.md", table(*THREE))
    second = write(tmp_path, "b.csv", f"{HEADER}\n" + "\n".join(",".join(r) for r in THREE))
    assert main(["check", str(first), str(second), str(tmp_path / "missing")]) == 1
    captured = capsys.readouterr()
    assert f"ok: {first}: " in captured.out and f"ok: {second}: " in captured.out
    assert f"error: {tmp_path / 'missing'}: no such file or directory" in captured.err


def test_a_folder_without_grids_and_a_name_clash(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(tmp_path / "empty", "notes.toml", 'event = "x"\n')
    write(tmp_path / "twice", "lm.md", table(*THREE))
    write(tmp_path / "twice", "lm.csv", f"{HEADER}\n" + "\n".join(",".join(r) for r in THREE))
    assert main(["check", str(tmp_path / "empty")]) == 1
    assert "no grid files" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "twice")]) == 1
    err = capsys.readouterr().err
    assert f"error: {tmp_path / 'twice' / 'lm.md'}: lm.csv is already the grid 'lm'" in err
