"""Autocomplete: every option the bot flags for it answers a partial value with valid choices."""

from __future__ import annotations

import pytest

from .conftest import GUILD_SYNC, Running

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

PARTIALS = ["", "Lis", "1", "L" * 5000, "@everyone", "**x**"]


def flagged(shared: Running) -> list[tuple[str, str]]:
    (sync,) = shared.standin.requests(GUILD_SYNC)
    return [
        (c["name"], o["name"])
        for c in sync.json
        for o in c.get("options", [])
        if o.get("autocomplete")
    ]


@pytest.mark.parametrize("partial", PARTIALS, ids=["empty", "Lis", "1", "5000", "everyone", "md"])
async def test_every_autocomplete_option_answers(shared: Running, partial: str) -> None:
    standin = shared.standin
    options = flagged(shared)

    assert options, "the bot flags no option for autocomplete"
    for command, option in options:
        interaction = await standin.autocomplete(command, option, **{option: partial})
        result = await standin.wait_for_response(interaction)

        assert result.type == 8, (command, option, result.body)
        assert len(result.data["choices"]) <= 25


async def test_team_suggestions_offer_lister_racing(shared: Running) -> None:
    assert ("team", "name") in flagged(shared), "/team name has no autocomplete"

    result = await shared.standin.wait_for_response(
        await shared.standin.autocomplete("team", "name", name="Lis")
    )

    assert "Lister Racing" in [c["value"] for c in result.data["choices"]], result.data
