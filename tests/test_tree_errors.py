"""The command tree's error branches that only Discord's side triggers: an option value of the
wrong type, and a command Discord holds in an older shape (or no longer at all)."""

from __future__ import annotations

import logging

import pytest
from discord import app_commands

from bot.app import GridBot
from tests.dispatch import RecordingAdapter, Sent, interaction_payload, invoke, invoke_payload

OUT_OF_DATE = "Sorry, that command is out of date"


def assert_refused(sent: Sent, title: str) -> None:
    assert sent.payload["type"] == 4, "answered with a message, not deferred or dropped"
    assert sent.ephemeral, "shown only to the person who asked"
    assert sent.embed["title"] == title
    assert "Traceback" not in sent.text
    assert sent.data["allowed_mentions"] == {"parse": []}


async def still_answers(gridbot: GridBot, adapter: RecordingAdapter) -> None:
    after = await invoke(gridbot, adapter, "grid", position=5)
    assert after.embed["title"] == "P5 · #14 MG Lola EX257"


async def test_an_option_its_transformer_refuses_is_a_bad_option(
    gridbot: GridBot,
    adapter: RecordingAdapter,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The bot's own options are all plain ranges that discord.py passes through unchanged (a
    # wrong value is the command's to refuse), so discord.py's transformer is made to refuse
    # one here: discord.py itself wraps the failure in a TransformerError for the tree.
    command = gridbot.tree.get_command("grid")
    assert isinstance(command, app_commands.Command)
    transformer = command._params["position"]._annotation

    def refuse(_interaction: object, value: object) -> object:
        raise ValueError(f"cannot read {value!r}")

    monkeypatch.setattr(transformer, "transform", refuse)
    caplog.set_level(logging.INFO, logger="gridbot.commands")

    sent = await invoke(gridbot, adapter, "grid", position=7)

    assert_refused(sent, "Sorry")
    assert "could not read the value given for that option" in sent.embed["description"]
    (record,) = [r for r in caplog.records if "bad option" in r.getMessage()]
    assert record.levelno == logging.INFO and record.getMessage().startswith("/grid")
    monkeypatch.undo()
    await still_answers(gridbot, adapter)


async def test_a_command_missing_a_required_option_is_out_of_date(
    gridbot: GridBot, adapter: RecordingAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    # Discord holding an older /gap with a single car: the signature no longer matches.
    sent = await invoke(gridbot, adapter, "gap", car_a="8")

    assert_refused(sent, OUT_OF_DATE)
    assert "refreshed shortly" in sent.embed["description"]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any(r.name == "gridbot.commands" for r in warnings), caplog.text
    await still_answers(gridbot, adapter)


async def test_a_command_the_bot_no_longer_has_is_out_of_date(
    gridbot: GridBot, adapter: RecordingAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    sent = await invoke_payload(gridbot, adapter, interaction_payload("retired", {"x": "1"}))

    assert_refused(sent, OUT_OF_DATE)
    (record,) = [r for r in caplog.records if r.name == "gridbot.commands"]
    assert record.levelno == logging.WARNING and "retired" in record.getMessage()
    await still_answers(gridbot, adapter)
