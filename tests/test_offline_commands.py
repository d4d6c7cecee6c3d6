"""``python -m bot ask "/help"``, ``"/about"`` and ``complete``: the offline paths, end to end
through ``bot.cli.main`` (the real command tree, built without a network)."""

from __future__ import annotations

import logging

import pytest

from bot.cli import main
from bot.offline import BOT_COMMANDS, COMMANDS, DISCORD_ONLY
from tests.conftest import DATA


@pytest.fixture(autouse=True)
def clean_env(no_settings: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDBOT_DATA_DIR", str(DATA))
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_help_lists_every_command_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "ask", "/help")

    assert (status, err) == (0, "")
    assert out.startswith("Gridbot commands\n")
    for name in [*COMMANDS, *BOT_COMMANDS, "chart"]:
        assert f"/{name}" in out, name
    assert "/car number [event]:" in out and "Example: /car 14" in out
    assert "**" not in out, "terminal output carries no Markdown"


def test_about_names_the_grids_loaded_and_is_not_connected(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "ask", "/about")

    assert (status, err) == (0, "")
    assert out.startswith("Gridbot ")
    assert "Grids loaded (1): 2003 1000 km of Le Mans · Qualifying · 34 cars" in out
    assert "Gateway latency: not connected" in out


def test_events_lists_the_seed(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "ask", "/events")

    assert status == 0 and "2003 1000 km of Le Mans" in out


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("/team lis", "Lister Racing · 1 entry  ->  Lister Racing\n"),
        ('/team "lis', "Lister Racing · 1 entry  ->  Lister Racing\n"),  # quote still open
        ("/grid event:le", "  ->  2003-1000km-le-mans-qualifying\n"),
        ("/grid 5", "P5 · #14 MG Lola EX257 · RML · 1:29.533  ->  5\n"),
        ("/gap 8 14", "#14 · MG Lola EX257 · RML  ->  14\n"),
        ("/gap car_b:14", "#14 · MG Lola EX257 · RML  ->  14\n"),
        # An event that is not loaded: completes on the default grid, as Discord does.
        ("/team event:nowhere-at-all lis", "Lister Racing · 1 entry  ->  Lister Racing\n"),
        ("/chart 10 lis", "Lister Racing · 1 entry  ->  Lister Racing\n"),
    ],
)
def test_complete_offers_what_autocomplete_offers(
    capsys: pytest.CaptureFixture[str], line: str, shown: str
) -> None:
    status, out, err = run(capsys, "complete", line)

    assert (status, err) == (0, "")
    assert shown in out, out


def test_complete_with_nothing_to_offer_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "complete", "/team zzzzqqqq")

    assert (status, out) == (0, "(no suggestions)\n")


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("/help", "Sorry: /help has no options to complete.\n"),
        ("/about", "Sorry: /about has no options to complete.\n"),
        ("/chart top:1", "Sorry: /chart top has no autocomplete.\n"),
        (
            "/gap 8 14 15 16",
            "Sorry: Too many values for /gap; it takes /gap car_a car_b [event].\n",
        ),
        ("", 'Sorry: No command given; for example: python -m bot ask "/grid 5".\n'),
    ],
)
def test_complete_refuses_what_it_cannot_complete(
    capsys: pytest.CaptureFixture[str], line: str, said: str
) -> None:
    status, out, err = run(capsys, "complete", line)

    assert (status, out, err) == (1, "", said)


@pytest.mark.parametrize("name", sorted(DISCORD_ONLY))
def test_discord_only_commands_say_why(capsys: pytest.CaptureFixture[str], name: str) -> None:
    status, out, err = run(capsys, "ask", f"/{name}")

    assert (status, out) == (1, "")
    assert err == f"Sorry: /{name} works only on Discord: {DISCORD_ONLY[name]}.\n"


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("/grid 5 6", "Sorry: Too many values for /grid; it takes /grid [position] [event].\n"),
        ('/team "lis', "Sorry: Cannot read that command line: No closing quotation.\n"),
    ],
)
def test_ask_refuses_a_line_it_cannot_read(
    capsys: pytest.CaptureFixture[str], line: str, said: str
) -> None:
    assert run(capsys, "ask", line) == (1, "", said)
