"""Bodies checked against Discord's OpenAPI description: bad ones refused, the bot's own pass."""

from __future__ import annotations

import json
import os
from typing import Any

import aiohttp
import pytest

from .conftest import Running
from .standin import StandIn, openapi
from .standin.server import CALLBACK, FOLLOWUP

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

BODY_METHODS = ("POST", "PUT", "PATCH")
CALLBACK_OPERATION = "POST /interactions/{interaction_id}/{interaction_token}/callback"


def needs_the_description(standin: StandIn) -> None:
    """Like PostgreSQL (TESTING.md): a newcomer's clone may lack ``../shared``, and these
    tests then skip, saying why; under ``CI=true`` they fail instead."""
    if standin.checks_bodies:
        return
    reason = (
        f"Discord's OpenAPI description is missing: set {openapi.SPEC_ENV} to its path "
        "(a warning says where it looked)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


async def post(url: str, body: dict[str, Any], *, files: bool = False) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http:
        if files:
            form = aiohttp.FormData()
            form.add_field("payload_json", json.dumps(body), content_type="application/json")
            form.add_field("files[0]", b"\x89PNG", filename="chart.png")
            sent = http.post(url, data=form)
        else:
            sent = http.post(url, json=body)
        async with sent as response:
            return response.status, await response.json() if response.status != 204 else None


async def test_bodies_that_break_the_description_get_discords_invalid_form_body(
    standin: StandIn,
) -> None:
    needs_the_description(standin)
    world = standin.world
    standin.rest.commands.overwrite(world.guild_id, [{"name": "grid", "description": "Grid"}])
    items = [standin.interactions.add(standin.build_interaction("grid", [])) for _ in range(4)]
    urls = [f"{standin.api_base}/interactions/{i.id}/{i.token}/callback" for i in items]
    followup = f"{standin.api_base}/webhooks/{world.application_id}/{items[3].token}"

    long_title = await post(urls[0], {"type": 4, "data": {"embeds": [{"title": "T" * 257}]}})
    bad_type = await post(urls[1], {"type": 42, "data": {"content": "P5"}})
    bad_colour = await post(urls[2], {"type": 4, "data": {"embeds": [{"color": 1 << 24}]}})
    bad_upload = await post(followup, {"content": "x", "embeds": "no"}, files=True)
    fine = await post(urls[3], {"type": 4, "data": {"content": "P5", "flags": 64}})

    def error(path: str, status_body: tuple[int, Any]) -> dict[str, Any]:
        status, body = status_body
        assert status == 400 and body["code"] == 50035, body
        assert body["message"] == "Invalid Form Body"
        node = body["errors"]
        for key in path.split("."):
            node = node[key]
        (found,) = node["_errors"]
        return dict(found)

    assert error("data.embeds.0.title", long_title) == {
        "code": "BASE_TYPE_MAX_LENGTH",
        "message": "Must be 256 or fewer in length.",
    }
    assert error("type", bad_type)["code"] == "BASE_TYPE_CHOICES"
    assert "4, 5" in error("type", bad_type)["message"]
    assert error("data.embeds.0.color", bad_colour)["code"] == "NUMBER_TYPE_MAX"
    assert error("embeds", bad_upload)["code"] == "LIST_TYPE_CONVERT"
    assert fine == (204, None)
    refused = standin.take_invalid_bodies()
    assert [r.key for r in refused] == [CALLBACK] * 3 + [FOLLOWUP]
    assert all(r.checked_against and r.invalid_detail for r in refused)
    (accepted,) = [r for r in standin.requests(CALLBACK) if r.status == 204]
    assert (accepted.checked_against, accepted.invalid) == (CALLBACK_OPERATION, None)
    assert items[3].response_type == 4 and items[0].response_type is None


async def test_the_real_bots_bodies_all_pass(shared: Running) -> None:
    standin = shared.standin
    needs_the_description(standin)

    answers = [
        await standin.ask("grid", position=5),
        await standin.ask("grid"),  # the whole grid: pages, with buttons
        await standin.ask("team", name="Lister"),
        await standin.ask("grid", position=99),  # refused, ephemerally
        await standin.wait_for_response(await standin.autocomplete("team", "name", name="Li")),
    ]

    assert any(a.data.get("components") for a in answers), "the pager was exercised"
    bodies = [
        r
        for r in standin.records
        if r.method in BODY_METHODS and isinstance(r.json, (dict, list)) and r.status
    ]
    assert {r.checked_against for r in bodies} >= {
        CALLBACK_OPERATION,
        "PUT /applications/{application_id}/guilds/{guild_id}/commands",
    }
    assert [r for r in bodies if r.checked_against is None] == []
    assert standin.invalid_bodies == []


async def test_a_missing_description_fails_in_ci_and_warns_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(openapi.SPEC_ENV, "/nonexistent/openapi.json")
    try:
        openapi.load.cache_clear()
        monkeypatch.setenv("CI", "true")
        with pytest.raises(openapi.SpecMissing, match=r"/nonexistent/openapi\.json"):
            StandIn()
        openapi.load.cache_clear()
        monkeypatch.delenv("CI")
        with pytest.warns(UserWarning, match="not checked"):
            assert not StandIn().checks_bodies
    finally:
        openapi.load.cache_clear()
