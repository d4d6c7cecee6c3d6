"""The bot starts without what no command needs: matplotlib (imported on the first chart),
nor, unless their settings ask for them, prometheus_client and aiohttp's server
(``GRIDBOT_METRICS_ADDR``), watchfiles (``GRIDBOT_WATCH_DIRS``), asyncpg (PostgreSQL), Alembic
and filelock (a database to migrate)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import DATA, ROOT

UNASKED = (
    "prometheus_client",
    "aiohttp.web",
    "watchfiles",
    "asyncpg",
    "alembic",
    "filelock",
    "rapidfuzz",
    "xml.etree.ElementTree",
    "multiprocessing",
)
"""Imported only when a setting, a database or a command needs them (multiprocessing: the chart
workers, whose pool starts a resource-tracker process of its own, made for the first chart)."""

START_UP = f"""
import asyncio, json, sys
from bot.app import GridBot
from bot.core.store import GridStore
from bot.settings import Settings
from bot.storage import Libraries


async def main():
    settings = Settings.load({{"GRIDBOT_DATA_DIR": {str(DATA)!r}, "DISCORD_TOKEN": None}})
    client = GridBot(settings, Libraries.offline(GridStore(settings.data_dir)), sync=False)
    await client._async_setup_hook()
    await client.setup_hook()
    loaded = sorted(client.cogs)
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("matplotlib", "numpy", "PIL"))
    unasked = sorted(m for m in {UNASKED!r} if m in sys.modules)
    await client.close()
    print(json.dumps({{"cogs": loaded, "heavy": heavy, "unasked": unasked}}))


asyncio.run(main())
"""


def test_start_up_and_every_cog_without_matplotlib() -> None:
    result = subprocess.run(
        [sys.executable, "-c", START_UP],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "ChartCog" in report["cogs"], "the chart cog was loaded"
    assert report["heavy"] == [], "matplotlib (or numpy, PIL) imported at start-up"
    assert report["unasked"] == [], "imported at start-up, though nothing asked for it"
