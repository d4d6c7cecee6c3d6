"""Whole-grid answers in constant memory: their page buttons keep no state.

Run: .venv/bin/python -m bench.pages_bench [--warm 1000] [--more 10000]

The real bot, in process, answers ``/grid`` (the whole grid, two pages with buttons) through
discord.py's own dispatch, with a webhook adapter that answers as Discord would and keeps
nothing. After ``--warm`` answers to warm up, ``--more`` answers leave RSS within 10 MB
(target, issue "Buttons that never die"). Every 20th answer's Next button is clicked too.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
from pathlib import Path
from typing import Any

from discord.http import Route
from discord.webhook.async_ import async_context

from bot.app import GridBot
from bot.core.store import GridStore
from bot.settings import Settings
from bot.storage import Limits, open_libraries, parse_url
from tests.conftest import start_client
from tests.dispatch import RecordingAdapter, interaction_payload, message_payload

REPO = Path(__file__).resolve().parent.parent
TARGET_MB = 10.0


class ForgetfulAdapter(RecordingAdapter):
    """Answers like Discord, remembers only the last message and counts the rest."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.last: dict[str, Any] = {}
        self.done = asyncio.Event()

    async def request(
        self, route: Route, session: Any, *, payload: dict[str, Any] | None = None, **_: Any
    ) -> Any:
        answer = await super().request(route, session, payload=payload)
        self.sent.clear()
        self.messages.clear()
        self.count += 1
        self.last = message_payload((payload or {}).get("data") or {})
        self.done.set()
        return answer


def rss_mb() -> float:
    with Path("/proc/self/status").open() as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def answer(client: GridBot, adapter: ForgetfulAdapter, click: bool) -> None:
    adapter.done.clear()
    # Why mypy is silenced below: discord.py wants a TypedDict; this is a plain dict
    client._connection.parse_interaction_create(interaction_payload("grid", {}))  # type: ignore[arg-type]
    await adapter.done.wait()
    if click:
        buttons = {b["label"]: b for row in adapter.last["components"] for b in row["components"]}
        payload = interaction_payload("", {}, kind=3)
        payload["data"] = {"custom_id": buttons["Next"]["custom_id"], "component_type": 2}
        payload["message"] = adapter.last
        adapter.done.clear()
        # Why mypy is silenced below: discord.py wants a TypedDict; this is a plain dict
        client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
        await adapter.done.wait()


async def run(warm: int, more: int) -> None:
    adapter = ForgetfulAdapter()
    async_context.set(adapter)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.load({"GRIDBOT_DATA_DIR": REPO / "data", "DISCORD_TOKEN": None})
        libraries = await open_libraries(
            parse_url(f"sqlite:///{folder}/pages.sqlite3"), GridStore(REPO / "data"), Limits()
        )
        client = await start_client(settings, libraries)  # as the in-process tests do
        for number in range(warm):
            await answer(client, adapter, number % 20 == 0)
        gc.collect()
        before = rss_mb()
        for number in range(more):
            await answer(client, adapter, number % 20 == 0)
        gc.collect()
        after = rss_mb()
        await client.close()
        await libraries.close()
    grown = after - before
    print(f"whole-grid answers: {warm} to warm up, then {more} more ({adapter.count} requests)")
    print(
        f"RSS before {before:.1f} MB, after {after:.1f} MB: grew {grown:.1f} MB "
        f"(target: within {TARGET_MB:g} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warm", type=int, default=1000)
    parser.add_argument("--more", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(run(args.warm, args.more))


if __name__ == "__main__":
    main()
