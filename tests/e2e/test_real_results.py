"""Real results files through Discord: the real bot, the stand-in, the facts of
``../shared/real-results/README.md``.

The operator's data folder is that folder itself (read in place, never copied into the
repository), and one file is also uploaded with ``/import``, as a league admin would.
Outside CI a machine without the folder skips with the reason; under ``CI=true`` it fails.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from .conftest import Running, until_serving_globally
from .process import BotProcess, bot_env
from .standin import StandIn, payloads
from .standin.server import CallbackResult

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real-results"


def real_folder() -> Path:
    if not REAL.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the real results folder {REAL} is missing")
        pytest.skip(f"{REAL} is not on this machine (it sits beside the project in the workspace)")
    return REAL


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def running(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Running]:
    folder = real_folder()
    workdir = tmp_path_factory.mktemp("real-results-bot")
    async with StandIn() as standin:
        env = bot_env(standin.base_url, standin.world.token, workdir)
        env["GRIDBOT_DATA_DIR"] = str(folder)
        async with BotProcess(env, workdir) as bot:
            await until_serving_globally(standin, bot)
            yield Running(standin, bot)


async def settled(standin: StandIn, interaction_id: str) -> CallbackResult:
    first = await standin.wait_for_response(interaction_id)
    return await standin.wait_for_followup(interaction_id) if first.type == 5 else first


async def test_qualifying_facts(running: Running) -> None:
    ask = running.standin.ask
    acc = await ask("gap", car_a="17", car_b="107", event="2019-acc-brands-hatch-qualifying")
    assert "0.258 s" in acc.text, acc.text
    monza = await ask("grid", position=1, event="2015-ac-monza-qualifying")
    assert "Timo Haapala" in monza.text and "1:37.435" in monza.text, monza.text
    sebring = await ask("grid", position=2, event="2013-rf2-sebring-qualifying")
    assert "+2.141 s" in sebring.text and "Noritake Takahara" in sebring.text, sebring.text
    f1 = await ask("gap", car_a="44", car_b="77", event="2019-australian-gp-qualifying")
    assert "0.112 s" in f1.text and "Q3" in f1.text, f1.text
    event = "2021-iracing-bathurst-race/qualifying"
    bathurst = await ask("gap", car_a="8", car_b="88", event=event)
    assert "0.659 s" in bathurst.text, bathurst.text


async def test_race_facts(running: Running) -> None:
    ask = running.standin.ask
    island = await ask("gap", car_a="24", car_b="19", event="2019-iracing-phillip-island-race")
    assert "finished" in island.text and "2.991 s" in island.text, island.text
    assert "1:12.125" in island.text, island.text
    imola = await ask("car", number="38", event="2014-elms-4h-imola-race")
    assert "Won" in imola.text and "139 laps" in imola.text and "Jota Sport" in imola.text
    gap = await ask("gap", car_a="38", car_b="24", event="2014-elms-4h-imola-race")
    assert "28.869 s" in gap.text and "1:36.977" in gap.text, gap.text
    winner = await ask("driver", name="Dave N", event="2021-iracing-bathurst-race/race")
    assert "P1" in winner.text and "#8" in winner.text, winner.text


async def test_a_driver_finds_a_car_without_a_number(running: Running) -> None:
    answer = await running.standin.ask(
        "gap", car_a="Haapala", car_b="Sorlini", event="2015-ac-monza-qualifying"
    )
    assert "1.310 s" in answer.text, answer.text


async def test_importing_a_results_file(running: Running) -> None:
    standin = running.standin
    data = (REAL / "2019-acc-brands-hatch-qualifying.json").read_bytes()
    attachment = standin.attachment("acc-league-round-3.json", data)
    asked = await standin.invoke(
        "import", file=attachment, permissions=payloads.MANAGER_PERMISSIONS
    )
    imported = await settled(standin, asked)
    assert "Imported" in imported.text, imported.text
    answer = await standin.ask("gap", car_a="17", car_b="107", event="acc-league-round-3")
    assert "0.258 s" in answer.text and "this server's library" in answer.text, answer.text
