"""Faults Discord causes: nothing the bot is sent may be lost, every command is still answered."""

from __future__ import annotations

import pytest

from . import expect
from .conftest import Running
from .standin.server import CALLBACK

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]


def count(shared: Running, key: str) -> int:
    return len(shared.standin.requests(key))


@pytest.mark.parametrize("fault", ["close 4000", "abrupt TCP close", "op 7 RECONNECT"])
async def test_resumes_and_answers_what_was_sent_meanwhile(shared: Running, fault: str) -> None:
    standin = shared.standin
    resumes, identifies = count(shared, "WS RESUME"), count(shared, "WS IDENTIFY")

    if fault == "close 4000":
        await standin.gateway.close(4000)
    elif fault == "abrupt TCP close":
        await standin.gateway.drop()
    else:
        await standin.gateway.reconnect()
    missed = await standin.invoke("grid", position=5)  # queued, replayed on RESUME

    expect.grid_five(await standin.wait_for_response(missed))
    resumed = await standin.wait_for_key("WS RESUME", count=resumes + 1)
    assert resumed[-1].path == "/gateway-resume", "resume where READY said to"
    assert count(shared, "WS IDENTIFY") == identifies, "a resume, not a new session"
    expect.grid_five(await standin.ask("grid", position=5))


async def test_invalid_session_makes_the_bot_identify_afresh(shared: Running) -> None:
    standin = shared.standin
    identifies, resumes = count(shared, "WS IDENTIFY"), count(shared, "WS RESUME")
    old_session = standin.gateway.current

    await standin.gateway.invalidate(resumable=False)
    # discord.py waits 5 s before any IDENTIFY but the first (its before_identify_hook).
    await standin.wait_for_key("WS IDENTIFY", count=identifies + 1, timeout=10)

    assert count(shared, "WS RESUME") == resumes, "an invalidated session is not resumed"
    assert standin.gateway.current is not old_session

    expect.grid_five(await standin.ask("grid", position=5))


async def test_rate_limited_callback_is_answered_after_retry_after(shared: Running) -> None:
    standin = shared.standin
    fault = standin.fail(CALLBACK, status=429, retry_after=0.5)

    interaction = await standin.invoke("grid", position=5)
    answer = await standin.wait_for_response(interaction)

    expect.grid_five(answer)
    tries = [r for r in standin.requests(CALLBACK) if r.match["interaction_id"] == interaction]
    assert [r.status for r in tries] == [429, 200]
    assert tries[1].at - tries[0].at >= 0.5, "the bot waited retry_after"
    assert fault.hits == 1


async def test_server_error_once_is_answered_on_retry(shared: Running) -> None:
    standin = shared.standin
    standin.fail(CALLBACK, status=500)

    interaction = await standin.invoke("grid", position=5)
    expect.grid_five(await standin.wait_for_response(interaction))

    tries = [r for r in standin.requests(CALLBACK) if r.match["interaction_id"] == interaction]
    assert [r.status for r in tries] == [500, 200]
