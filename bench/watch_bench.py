"""Watched folders and announcements (issue "New results announce themselves").

Run: .venv/bin/python -m bench.watch_bench [--files 10] [--burst 200] [--debounce 1.0]

1. File to post, end to end: the real bot (``python -m tests.e2e.launch bot``) watching a
   folder, against the Discord stand-in, with ``GRIDBOT_WATCH_DEBOUNCE=--debounce``. Server A
   chooses its channel with ``/settings``; then ``--files`` ACC results files are written one
   after another, each when the previous one's post has arrived. The delay is from the file
   being closed to the stand-in receiving the post (both clocks are this process's).
2. Commands during a burst, end to end: ``/grid`` latency (dispatch to callback) before, and
   while ``--burst`` files land in the bot's folder at once.
3. The event loop during a burst, in process: the watcher, the real database (SQLite), the real
   chart workers and the real embed of each announcement, with a poster that sends nowhere and
   the 20-a-minute limit lifted (so that all ``--burst`` posts are made). A probe asks to wake
   every millisecond; the worst lateness is the longest the loop stalled, from the first file
   written until the last announcement is made.

Prints ``name: value unit (target ...) ok|MISSED`` lines (read by ``bench/run_all.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.announce.announcer import Announcer, Session
from bot.announce.buttons import open_buttons
from bot.charts.cache import ChartCache
from bot.charts.data import chart_data
from bot.core.queries import announcement
from bot.core.store import GridStore
from bot.render.announce import announcement_card
from bot.render.embed import to_embed
from bot.storage import Limits, open_libraries, parse_url
from bot.storage.announcements import AnnouncementLog
from bot.watch.folders import WatchDir
from bot.watch.watcher import Watcher
from tests.acc_files import QUALIFYING_CARS, acc_results
from tests.conftest import DATA
from tests.e2e.process import BotProcess, bot_env
from tests.e2e.standin import StandIn, payloads

DELAY_TARGET_S = 3.0
STALL_TARGET_MS = 50.0
GUILD_SYNC = "PUT /applications/{application_id}/guilds/{guild_id}/commands"
STARTUP = 30.0
GUILD = 10**17


def results_file(number: int) -> bytes:
    """A qualifying of its own: one more car, numbered after the file."""
    extra = (100 + number, "Bench", f"Driver{number}", 140_000 + number)
    return acc_results((*QUALIFYING_CARS, extra))


def file_name(number: int) -> str:
    return f"2510{number // 100 % 28 + 1:02d}_{number % 100:02d}0000_Q.json"


def report(name: str, value: float, unit: str, target: float | None = None) -> None:
    verdict = ""
    if target is not None:
        verdict = f" (target ≤ {target:g} {unit}) " + ("ok" if value <= target else "MISSED")
    print(f"{name}: {value:.2f} {unit}{verdict}", flush=True)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# 1 and 2: the real bot


async def grid_latencies(standin: StandIn, count: int) -> list[float]:
    found = []
    for _ in range(count):
        answer = await standin.ask("grid", position=5, timeout=5.0)
        found.append(answer.latency * 1000)
    return found


async def end_to_end(files: int, burst: int, debounce: float) -> None:
    with tempfile.TemporaryDirectory(prefix="gridbot-watch-") as folder:
        root = Path(folder)
        results = root / "results"
        results.mkdir()
        async with StandIn() as standin:
            env = bot_env(
                standin.base_url,
                standin.world.token,
                root,
                GRIDBOT_DEV_GUILD_ID=str(standin.world.guild_id),
                GRIDBOT_WATCH_DIRS=str(results),
                GRIDBOT_WATCH_DEBOUNCE=str(debounce),
                GRIDBOT_LOG_LEVEL="WARNING",
            )
            async with BotProcess(env, root) as bot:
                await standin.wait_for_key(GUILD_SYNC, timeout=STARTUP)
                await standin.wait_for_key("WS IDENTIFY", timeout=STARTUP)
                await standin.gateway.caught_up(timeout=STARTUP)
                channel = standin.world.channel_id
                await standin.ask(
                    "settings", announcements=channel, permissions=payloads.MANAGER_PERMISSIONS
                )
                delays = []
                for number in range(files):
                    path = results / file_name(number)
                    path.write_bytes(results_file(number))
                    written = time.monotonic()
                    posts = await standin.wait_for_posts(channel, count=number + 1, timeout=30)
                    delays.append(posts[-1].at - written)
                print(
                    f"file to post, {files} files one after another, debounce {debounce:g} s: "
                    f"p50 {statistics.median(delays):.2f} s, max {max(delays):.2f} s"
                )
                report("file to post (worst)", max(delays), "s", DELAY_TARGET_S)

                idle = await grid_latencies(standin, 50)
                for number in range(files, files + burst):
                    (results / file_name(number)).write_bytes(results_file(number))
                during = await grid_latencies(standin, 200)
                print(
                    f"/grid while {burst} files land: p50 {statistics.median(during):.2f} ms, "
                    f"p99 {percentile(during, 0.99):.2f} ms (idle: p50 "
                    f"{statistics.median(idle):.2f} ms, p99 {percentile(idle, 0.99):.2f} ms)"
                )
                report(
                    "/grid p99 during a burst, over idle",
                    percentile(during, 0.99) / percentile(idle, 0.99),
                    "×",
                )
                if bot.returncode is not None:
                    raise SystemExit(f"the bot stopped:\n{bot.output}")


# 3: the event loop, in process


class Nowhere:
    """Makes each announcement as the bot does (card, embed, chart, buttons), sends nothing."""

    def __init__(self, charts: ChartCache) -> None:
        self.charts = charts
        self.posted = 0
        self.done = asyncio.Event()
        self.expected = 0

    async def post(self, guild_id: int, channel_id: int, session: Session, nonce: int) -> int:
        to_embed(announcement_card(announcement(session.grid))).set_image(url="attachment://c")
        await self.charts.png(session.grid, chart_data(session.grid), "announcements")
        open_buttons(session.token)
        self.posted += 1
        if self.posted >= self.expected:
            self.done.set()
        return self.posted


async def in_process(burst: int) -> None:
    with tempfile.TemporaryDirectory(prefix="gridbot-watch-loop-") as folder:
        root = Path(folder)
        results, league = root / "results", root / "league"
        results.mkdir()
        league.mkdir()
        store = await asyncio.to_thread(GridStore, DATA)
        libraries = await open_libraries(
            parse_url(f"sqlite:///{root}/bench.sqlite3"),
            store,
            Limits(server_grids=burst + 10, server_bytes=256 * 1024 * 1024),
            attempts=1,
        )
        await libraries.change_settings(GUILD, 1, announce_channel_id=9)
        ledger = AnnouncementLog(libraries.engine)
        charts = ChartCache()
        poster = Nowhere(charts)
        poster.expected = burst
        announcer = Announcer(ledger, poster, per_minute=10**9)
        watcher = Watcher(
            [WatchDir(results), WatchDir(league, GUILD)],
            libraries,
            ledger,
            announcer,
            uploader_id=1,
            quiet=0.5,
            polling="off",
        )
        await charts.warm(store.catalog.default)  # as the bot does when it starts watching
        tasks = [asyncio.create_task(watcher.run()), asyncio.create_task(watcher.lead())]
        await watcher.loaded.wait()
        for half, where in ((burst // 2, results), (burst - burst // 2, league)):
            await stall_during(f"{half} files in the {where.name} folder", half, where, poster)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        charts.close()
        await libraries.close()


async def stall_during(label: str, count: int, folder: Path, poster: Nowhere) -> None:
    worst, lateness, running = 0.0, [], True

    async def probe() -> None:
        nonlocal worst
        while running:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            late = time.perf_counter() - before - 0.001
            lateness.append(late)
            worst = max(worst, late)

    task = asyncio.create_task(probe())
    await asyncio.sleep(0.01)
    poster.done.clear()
    poster.expected = poster.posted + count
    started = time.perf_counter()
    await asyncio.to_thread(_write_all, folder, count, poster.posted)
    await asyncio.wait_for(poster.done.wait(), 600)
    took = time.perf_counter() - started
    running = False
    await task
    print(
        f"{label}: read, served and announced in {took:.1f} s; loop lateness p99 "
        f"{percentile(lateness, 0.99) * 1000:.1f} ms"
    )
    report(f"stall during a burst of {label}", worst * 1000, "ms", STALL_TARGET_MS)


def _write_all(folder: Path, count: int, first: int) -> None:
    for number in range(first, first + count):
        (folder / file_name(number)).write_bytes(results_file(number))


async def main(files: int, burst: int, debounce: float) -> None:
    await end_to_end(files, burst, debounce)
    await in_process(burst)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--debounce", type=float, default=1.0)
    options = parser.parse_args()
    asyncio.run(main(options.files, options.burst, options.debounce))
