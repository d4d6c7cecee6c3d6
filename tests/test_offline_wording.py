"""Issue 14, offline mode and wording: completion of every option, one style of refusal,
clipped echoes, nonsense suggesting nothing, a mistyped default event, the whole-grid table,
closed pipes and the Makefile."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.app import GridBot
from bot.cli import main
from bot.core import queries
from bot.core.answers import TableAnswer
from bot.core.complete import complete_team
from bot.core.errors import QueryError, UsageError
from bot.core.model import Grid
from bot.core.store import GridStore
from bot.offline import BOT_COMMANDS, COMMANDS, DISCORD_ONLY, ask, complete
from bot.render.cards import card_for, table_pages
from bot.render.text import to_text
from bot.settings import Settings
from bot.storage import Libraries
from tests.conftest import DATA, ROOT
from tests.core_fixtures import seed_grid


@pytest.fixture(autouse=True)
def seed_only(no_settings: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDBOT_DATA_DIR", str(DATA))


@pytest.fixture
def store() -> GridStore:
    return GridStore(DATA)


@pytest.fixture
async def tree_bot(store: GridStore) -> AsyncIterator[GridBot]:
    """The real command tree, built as ``/help`` builds it offline."""
    bot = GridBot(Settings.load(), Libraries.offline(store), sync=False)
    async with bot:
        await bot.setup_hook()
        yield bot


def values(store: GridStore, line: str) -> list[str]:
    return [str(s.value) for s in complete(store, line)]


# Completion covers what the bot autocompletes


async def test_every_autocompleted_option_completes_offline(
    tree_bot: GridBot, store: GridStore
) -> None:
    offline = {*COMMANDS, *BOT_COMMANDS, "chart"}
    for command in tree_bot.tree.get_commands():
        assert command.name in offline | DISCORD_ONLY.keys(), f"/{command.name} is unknown offline"
        for param in getattr(command, "parameters", []):
            if not param.autocomplete:
                continue
            line = f"/{command.name} {param.name}:"
            if command.name in DISCORD_ONLY:
                with pytest.raises(UsageError, match="works only on Discord"):
                    complete(store, line)
            else:
                assert complete(store, line), f"{line} offers nothing offline"


def test_chart_highlight_and_event_complete(store: GridStore) -> None:
    assert "Lister Racing" in values(store, "/chart highlight:li")
    assert values(store, "/chart highlight:1")[0] == "14"  # a number: cars, as the cog does
    key = "2003-1000km-le-mans-qualifying"
    assert values(store, "/grid event:le") == [key]
    assert values(store, '/team event:"le ma') == [key]  # a quote still open while typing
    assert values(store, "/team noel d") == ["Noël del Bello"]
    assert values(store, "/grid event:le 1")[:2] == ["1", "10"]


def test_an_unknown_command_is_named(store: GridStore) -> None:
    with pytest.raises(UsageError, match=r"^There is no /foo command"):
        complete(store, "/foo x")


@pytest.mark.parametrize("name", sorted(DISCORD_ONLY))
def test_discord_only_commands_say_so(store: GridStore, name: str) -> None:
    text, refused = ask(store, f"/{name} x.md")
    assert refused and text.startswith(f"Sorry: /{name} works only on Discord: ")


# One style of refusal

TOP = "Sorry: top must be a whole number from 2 to 34 (the grid has 34 cars).\n"


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("/grid -1", "Sorry: The grid has 34 cars; pick 1–34.\n"),
        ("/chart top:-3", TOP),
        ("/chart -3", TOP),
        ("/grid x", "Sorry: position must be a whole number, not 'x'.\n"),
        ("/gap 8", "Sorry: /gap needs car_b; it takes /gap car_a car_b [event].\n"),
        ("/nope", 'Sorry: There is no /nope command; python -m bot ask "/help" lists them.\n'),
    ],
)
def test_every_refusal_is_one_line_on_stderr_with_status_1(
    capsys: pytest.CaptureFixture[str], line: str, said: str
) -> None:
    assert main(["ask", line]) == 1
    out, err = capsys.readouterr()
    assert (out, err) == ("", said)


def test_complete_refuses_in_the_same_style(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["complete", "/foo x"]) == 1
    assert capsys.readouterr().err.startswith("Sorry: There is no /foo command;")


@pytest.mark.parametrize("line", ["/grid " + "1" * 4301, "/chart top:" + "9" * 4301])
def test_a_huge_number_is_out_of_range(capsys: pytest.CaptureFixture[str], line: str) -> None:
    assert main(["ask", line]) == 1
    err = capsys.readouterr().err
    assert "from 2 to 34" in err or "pick 1–34" in err


@pytest.mark.parametrize("line", ["/grid x" + "1" * 4301, "/nope" + "x" * 4301])
def test_echoed_input_is_clipped(capsys: pytest.CaptureFixture[str], line: str) -> None:
    assert main(["ask", line]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Sorry: ") and len(err) < 120 and "…" in err


# Nonsense suggests nothing, as autocomplete offers nothing


@pytest.mark.parametrize(
    ("query", "line"),
    [
        (lambda g: queries.team_entries(g, "zzzz"), "/team zzzz"),
        (lambda g: queries.driver_entries(g, "zzzz"), "/driver zzzz"),
        (lambda g: queries.car_entry(g, "zzzz"), "/car zzzz"),
    ],
)
def test_nonsense_suggests_nothing(
    store: GridStore, query: Callable[[Grid], object], line: str
) -> None:
    with pytest.raises(QueryError) as caught:
        query(seed_grid())
    assert caught.value.suggestions == ()
    assert complete(store, line) == []
    assert "Closest" not in ask(store, line)[0]


def test_a_miss_suggests_what_autocomplete_offers() -> None:
    grid = seed_grid()
    with pytest.raises(QueryError) as caught:
        queries.team_entries(grid, "xqzt lsiter")
    offered = [str(s.value) for s in complete_team(grid, "xqzt lsiter")]
    assert list(caught.value.suggestions) == offered[:3] == ["Lister Racing"]
    with pytest.raises(QueryError) as car:
        queries.car_entry(grid, "lister")
    assert car.value.suggestions == ("#4",)


# A mistyped default event


def test_a_mistyped_default_event_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRIDBOT_DEFAULT_EVENT", "monza 1999")
    assert main(["ask", "/grid 5"]) == 2
    err = capsys.readouterr().err
    assert "GRIDBOT_DEFAULT_EVENT='monza 1999' matches no grid" in err
    assert "Closest: 2003 1000 km of Le Mans" in err
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-real-token")
    assert main([]) == 2, "refused before connecting"
    monkeypatch.setenv("GRIDBOT_DEFAULT_EVENT", "le mans 2003")
    assert main(["ask", "/grid 5"]) == 0


# The whole-grid table and the /gap wording


def test_the_table_marks_level_times_and_shows_whole_team_names() -> None:
    pages = table_pages(TableAnswer(seed_grid()))
    text = pages[0].description
    assert "=12 #66 Konrad Motorsport " in text and "=13 #15 Didier Bonnet " in text
    assert " 11 #6  Intersport Racing " in text, "no mark where no time is shared"
    assert "Intersport Racing Field " in text and "Courage Compétition " in text
    assert "Dewalt-Racesports Sales… " in text, "clipped at the cap"
    assert max(len(line) for line in text.splitlines()) <= 50
    assert pages[0].notes and "same time" in pages[0].notes[0]
    assert not pages[1].notes, "no level time on page 2"


def test_the_table_of_a_long_team_stays_narrow() -> None:
    answer = TableAnswer(seed_grid())
    narrow = table_pages(answer, team_width=10)[0].description
    assert "Audi Japa… " in narrow


def test_side_by_side_says_none_without_a_second_colon() -> None:
    text = to_text(card_for(queries.car_gap(seed_grid(), "8", "4")))
    line = next(line for line in text.splitlines() if line.startswith("Between them"))
    assert line == "Between them: none — they qualified side by side"
    named = to_text(card_for(queries.car_gap(seed_grid(), "8", "14")))
    assert "Between them: 2 cars (P3–P4) — #4 Lister Storm LMP" in named


# Closed pipes


def test_a_closed_pipe_ends_quietly_with_0(tmp_path: Path) -> None:
    read, write = os.pipe()
    os.close(read)  # no reader at all: the first write fails, as after `| head -1`
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDBOT_", "DISCORD_"))}
    env.update(PYTHONPATH=str(ROOT), GRIDBOT_DATA_DIR=str(DATA))
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "ask", "/grid"],
            cwd=tmp_path,
            env=env,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (0, "")


# The Makefile


def fake_checkout(tmp_path: Path, bot_status: int) -> Path:
    """The Makefile beside a set-up ``.venv`` whose python reports the interpreter running
    the tests, and whose ``-m bot`` prints a line and exits with ``bot_status``."""
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "-c" ]; then exec {sys.executable} "$@"; fi\n'
        'echo "the bot explains why it stopped" >&2\n'
        f"exit {bot_status}\n",
        encoding="utf-8",
    )
    python.chmod(0o755)
    installed = tmp_path / ".venv" / ".installed"
    installed.touch()
    os.utime(tmp_path / "pyproject.toml", (1_000_000, 1_000_000))
    os.utime(installed, (2_000_000, 2_000_000))
    return tmp_path


def make(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert shutil.which("make"), "make is not installed: it is how the README runs the bot"
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_venv_from_another_python_is_rebuilt(tmp_path: Path) -> None:
    folder = fake_checkout(tmp_path, 0)
    same = make(folder, "-n", "setup", f"PYTHON={sys.executable}")
    assert "-m venv" not in same.stdout, "the same interpreter: nothing to rebuild"
    other = folder / "other-python"
    other.write_text(
        f"#!/bin/sh\nexec {sys.executable} -c 'print(\"/elsewhere 3 12 0\")'\n", encoding="utf-8"
    )
    other.chmod(0o755)
    rebuilt = make(folder, "-n", "setup", f"PYTHON={other}")
    assert f"{other} -m venv --clear .venv" in rebuilt.stdout


def test_make_run_ends_with_the_explanation_only(tmp_path: Path) -> None:
    stopped = make(fake_checkout(tmp_path, 2), "run", f"PYTHON={sys.executable}")
    assert stopped.returncode == 0
    assert stopped.stderr == "the bot explains why it stopped\n", "no make error line"


def test_make_run_still_fails_on_a_crash(tmp_path: Path) -> None:
    crashed = make(fake_checkout(tmp_path, 1), "run", f"PYTHON={sys.executable}")
    assert crashed.returncode != 0 and "Error 1" in crashed.stderr


def test_a_space_after_the_last_value_completes_the_event(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for command in ("/grid 5 ", "/gap 8 14 "):
        assert main(["complete", command]) == 0, command
        assert "->  2003-1000km-le-mans-qualifying" in capsys.readouterr().out
