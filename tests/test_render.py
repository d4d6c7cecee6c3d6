"""Cards, their plain-text form and their embeds: content, escaping, and Discord's limits."""

from __future__ import annotations

import discord
import pytest

from bot.core import queries
from bot.core.errors import QueryError
from bot.core.model import Grid
from bot.kept import KeptEmbed, KeptMentions
from bot.render.cards import ERROR, Card, card_for, escape
from bot.render.embed import to_embed
from bot.render.text import plain, to_text
from tests.core_fixtures import SEED_LABEL, seed_grid, small_grid

ZWSP = "\u200b"


def field(card: Card, name: str) -> str:
    """The plain text of the one field called ``name``."""
    values = [plain(f.value) for f in card.fields if plain(f.name) == name]
    assert len(values) == 1, [f.name for f in card.fields]
    return values[0]


def names(card: Card) -> list[str]:
    return [plain(f.name) for f in card.fields]


def everything(card: Card) -> str:
    return "\n".join(
        [card.title, card.description, card.footer, *card.notes]
        + [part for f in card.fields for part in (f.name, f.value)]
    )


def test_grid_5_card() -> None:
    card = card_for(queries.grid_slot(seed_grid(), 5))
    assert plain(card.title) == "P5 · #14 MG Lola EX257"
    assert plain(card.description) == "RML\nThomas Erdos / Mike Newton / Chris Goodwin"
    assert "**RML**" in card.description
    assert field(card, "Best lap") == "1:29.533"
    assert field(card, "Gap to pole") == "+1.635 s (+1.860 %)"
    assert field(card, "To the car ahead") == "0.431 s (0.484 %) behind #9, P4"
    assert field(card, "To the car behind") == "0.399 s (0.446 %) ahead of #2, P6"
    assert card.footer == SEED_LABEL
    assert card.ephemeral is False
    assert card.colour != ERROR
    assert card.notes == ()


def test_grid_1_card_says_pole() -> None:
    card = card_for(queries.grid_slot(seed_grid(), 1))
    assert plain(card.title) == "P1 · #5 Audi R8"
    assert field(card, "Pole position") == "fastest in the session"
    assert "Gap to pole" not in names(card)
    assert "To the car ahead" not in names(card)
    assert field(card, "To the car behind") == "0.482 s (0.548 %) ahead of #8, P2"


def test_grid_12_card_says_level() -> None:
    card = card_for(queries.grid_slot(seed_grid(), 12))
    assert field(card, "To the car behind") == "level with #15, P13"
    assert "#15, P13" in field(card, "Level")
    assert field(card, "Gap to pole") == "+8.934 s (+10.164 %)"


def test_grid_34_card_has_no_car_behind() -> None:
    card = card_for(queries.grid_slot(seed_grid(), 34))
    assert "To the car behind" not in names(card)
    assert field(card, "To the car ahead") == "0.200 s (0.183 %) behind #42, P33"


def test_grid_19_shows_the_marker_with_a_footnote_from_the_legend() -> None:
    card = card_for(queries.grid_slot(seed_grid(), 19))
    assert plain(card.description).endswith("Alex Vasiliev / *Romain Dumas")
    assert "\\*Romain Dumas" in card.description  # escaped, so Discord shows the star
    assert len(card.notes) == 1
    assert plain(card.notes[0]) == "* marked in the source table"
    text = to_text(card)
    assert "*Romain Dumas" in text
    assert "* marked in the source table" in text


def test_a_marker_missing_from_the_legend_still_gets_a_footnote() -> None:
    grid = small_grid(("1", "8", "†Jan Lammers", "Car", "Team", "1:00.000"))
    card = card_for(queries.grid_slot(grid, 1))
    assert len(card.notes) == 1
    assert plain(card.notes[0]).startswith("† ")


def test_team_card() -> None:
    card = card_for(queries.team_entries(seed_grid(), "Lister"))
    assert plain(card.title) == "Lister Racing"
    assert len(card.fields) == 1
    assert plain(card.fields[0].name) == "Lister Racing · 1 entry"
    value = plain(card.fields[0].value)
    assert "P3 · #4 · Lister Storm LMP · 1:29.056" in value
    assert "Jamie Campbell-Walter / Nathan Kinch / Tom Coronel" in value
    assert card.footer == SEED_LABEL


def test_team_card_for_several_teams() -> None:
    card = card_for(queries.team_entries(seed_grid(), "intersport"))
    assert "intersport" in plain(card.title)
    assert names(card) == ["Intersport Racing Field · 1 entry", "Intersport Racing · 1 entry"]
    assert "2 teams" in plain(card.description)


def test_team_card_for_a_team_with_two_entries() -> None:
    card = card_for(queries.team_entries(seed_grid(), "Dewalt"))
    value = plain(card.fields[0].value)
    assert plain(card.fields[0].name) == "Dewalt-Racesports Salesbury · 2 entries"
    assert value.index("#46") < value.index("#45")


def test_team_card_for_a_guess_says_so() -> None:
    card = card_for(queries.team_entries(seed_grid(), "lsiter"))
    assert "Lister Racing" in plain(card.description)
    assert "lsiter" in plain(card.description)
    assert names(card) == ["Lister Racing · 1 entry"]


def test_gap_card() -> None:
    card = card_for(queries.car_gap(seed_grid(), "8", "14"))
    assert plain(card.title) == "#8 vs #14 · 1.153 s"
    assert plain(card.description) == "#8 was faster by 1.153 s (1.305 %)."
    assert names(card) == ["P2 · #8", "P5 · #14", "Between them"]
    assert field(card, "P2 · #8") == "Dome S101 Judd\nRacing For Holland\n1:28.380"
    assert field(card, "P5 · #14") == "MG Lola EX257\nRML\n1:29.533"
    assert field(card, "Between them").startswith("2 cars (P3–P4)")
    assert card.footer == SEED_LABEL


def test_gap_card_level() -> None:
    card = card_for(queries.car_gap(seed_grid(), "66", "15"))
    assert plain(card.title) == "#66 vs #15 · level"
    assert "1:36.832" in plain(card.description)
    assert field(card, "Between them").startswith("none")


def test_gap_card_without_a_time() -> None:
    grid = small_grid(
        ("1", "8", "A", "Car A", "Team A", "1:00.000"),
        ("2", "4", "B", "Car B", "Team B", "NT"),
    )
    card = card_for(queries.car_gap(grid, "8", "4"))
    assert plain(card.title) == "#8 vs #4"
    assert plain(card.description) == "No gap: #4 set no time."
    assert field(card, "P2 · #4") == "Car B\nTeam B\nno time"


def test_text_form_of_a_card() -> None:
    text = to_text(card_for(queries.car_gap(seed_grid(), "8", "14")))
    lines = text.splitlines()
    assert lines[0] == "#8 vs #14 · 1.153 s"
    assert lines[1] == "=" * len(lines[0])
    assert lines[2] == "#8 was faster by 1.153 s (1.305 %)."
    assert lines[-1] == f"— {SEED_LABEL}"
    assert "**" not in text
    assert "\\" not in text


def test_an_error_card_is_ephemeral_and_readable() -> None:
    with pytest.raises(QueryError) as caught:
        queries.grid_slot(seed_grid(), 35)
    card = card_for(caught.value)
    assert card.ephemeral is True
    assert card.colour == ERROR
    assert card.footer == ""
    assert "The grid has 34 cars; pick 1–34." in to_text(card)


def test_an_error_card_lists_suggestions() -> None:
    with pytest.raises(QueryError) as caught:
        queries.car_gap(seed_grid(), "99", "8")
    card = card_for(caught.value)
    assert plain(card.description) == "No car #99 on this grid.\nClosest: #86, #80, #66, #49, #48"


HOSTILE = "@everyone **x** <@&1>"


def test_echoed_user_text_is_defused_in_the_card_and_readable_as_text() -> None:
    with pytest.raises(QueryError) as caught:
        queries.team_entries(seed_grid(), HOSTILE)
    assert HOSTILE in caught.value.message
    card = card_for(caught.value)
    assert "@everyone" not in card.description
    assert f"@{ZWSP}everyone" in card.description
    assert "**x**" not in card.description
    assert "\\*\\*x\\*\\*" in card.description
    assert "<@&1>" not in card.description
    assert "@&1" not in card.description
    assert HOSTILE in to_text(card)
    assert ZWSP not in to_text(card)


@pytest.mark.parametrize(
    "text", ["@here", "@everyone", "<@123>", "<#456>", "**bold**", "__u__", "~~s~~", "[a](b)"]
)
def test_escape_defuses_mentions_and_markdown(text: str) -> None:
    escaped = escape(text)
    assert escaped != text
    assert "@" not in escaped.replace(f"@{ZWSP}", "")
    assert plain(escaped) == text


@pytest.mark.parametrize("text", ["`code`", "Team `x` Racing", "a ` b ` c"])
def test_escaped_backticks_read_back_as_backticks(text: str) -> None:
    assert "`" not in escape(text).replace("\\`", "")
    assert plain(escape(text)) == text


def hostile_grid() -> Grid:
    return small_grid(
        ("1", "8", "@everyone / *_Jan_*", "**Dome** <@&1>", "@here Racing ~~x~~", "1:00.000"),
    )


def test_data_from_the_file_is_escaped_too() -> None:
    grid = hostile_grid()
    for card in (
        card_for(queries.grid_slot(grid, 1)),
        card_for(queries.team_entries(grid, "here racing")),
    ):
        rendered = everything(card)
        assert "@everyone" not in rendered
        assert "@here" not in rendered
        assert "<@&1>" not in rendered
        assert "**Dome**" not in rendered
        assert "~~x~~" not in rendered
        assert "@here Racing ~~x~~" in to_text(card)


# Discord's limits: 256 title, 256 field name, 1024 field value, 25 fields, 4096 description.


def big_grid(teams: int, cars_each: int, *, team_name: str = "Racing", long: int = 1) -> Grid:
    rows = []
    position = 0
    for team in range(teams):
        for car in range(cars_each):
            position += 1
            drivers = " / ".join(f"Driver{position}x{d} " + "Longname" * long for d in range(1, 4))
            rows.append(
                (
                    f"{position}",
                    f"{position}",
                    drivers,
                    "Oreca 07 Gibson " + "LMP2 " * long + f"car {car}",
                    f"Team {team:02d} {team_name}",
                    f"3:{position % 60:02d}.123",
                )
            )
    return small_grid(*rows)


def assert_within_limits(card: Card) -> None:
    assert len(card.title) <= 256
    assert len(card.description) <= 4096
    assert len(card.fields) <= 25
    for item in card.fields:
        assert len(item.name) <= 256
        assert 0 < len(item.value) <= 1024


def test_a_team_with_60_entries_stays_within_limits() -> None:
    grid = big_grid(1, 60, team_name="Racing " + "Very Long Team Name " * 20, long=4)
    answer = queries.team_entries(grid, "team 00")
    assert len(answer.teams[0].entries) == 60
    card = card_for(answer)
    assert_within_limits(card)
    assert len(card.fields) == 1
    assert card.fields[0].value.startswith("P1 ")
    assert len(plain(card.title)) > 200  # the long name is still shown, clipped
    assert card.title.endswith("…")


def test_a_clipped_team_field_keeps_its_markup_balanced() -> None:
    rows = [(f"{n}", f"{n}", "DDDDDDDD x3", "Car", "Team", "1:00.000") for n in range(1, 40)]
    card = card_for(queries.team_entries(small_grid(*rows), "team"))
    value = card.fields[0].value
    assert len(value) <= 1024
    assert value.count("**") % 2 == 0
    assert "*" not in to_text(card)
    shown = value.count("\nDDDDDDDD x3")
    assert 0 < shown < 39
    assert value.splitlines()[-1] == f"…and {39 - shown} more"


def test_more_than_25_matching_teams_stay_within_limits() -> None:
    grid = big_grid(40, 1)
    answer = queries.team_entries(grid, "racing")
    assert len(answer.teams) == 40
    card = card_for(answer)
    assert_within_limits(card)
    assert len(card.fields) == 25


def test_a_long_query_in_the_title_stays_within_limits() -> None:
    answer = queries.team_entries(big_grid(3, 1), "Racing")
    card = card_for(answer)
    assert_within_limits(card)
    with pytest.raises(QueryError) as caught:
        queries.team_entries(big_grid(3, 1), "q" * 100)
    error_card = card_for(caught.value)
    assert len(error_card.description) <= 4096
    assert "q" * 39 + "…" in error_card.description


def test_a_big_team_answer_fits_the_6000_character_embed_total() -> None:
    grid = big_grid(24, 3)  # a Le Mans-sized grid: 72 cars, every team a "Racing" team
    card = card_for(queries.team_entries(grid, "racing"))
    assert_within_limits(card)
    assert sum(len(f.name) + len(f.value) for f in card.fields) > 6000  # the card holds it all
    embed = to_embed(card)
    assert len(embed) <= 6000
    assert 0 < len(embed.fields) <= 25
    assert all(len(f.name or "") <= 256 and len(f.value or "") <= 1024 for f in embed.fields)
    assert "more not shown" in (embed.fields[-1].value or "")
    assert len(to_embed(card_for(queries.team_entries(big_grid(1, 60, long=4), "team")))) <= 6000


def test_a_kept_embed_sends_the_payload_of_the_embed_it_keeps() -> None:
    embed = to_embed(card_for(queries.grid_slot(seed_grid(), 5)))
    kept = KeptEmbed.keep(embed)

    assert kept.to_dict() == embed.to_dict()
    assert kept.to_dict() is kept.to_dict(), "built once"
    assert kept == embed


def test_kept_mentions_send_the_payload_of_none() -> None:
    kept = KeptMentions.none()

    assert kept.to_dict() == discord.AllowedMentions.none().to_dict()
    assert kept.to_dict()["parse"] == []
    assert kept.to_dict() is kept.to_dict(), "built once"
