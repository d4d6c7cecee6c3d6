"""Shards across processes: 2 processes × 2 shards beside 1 process running the same 4 shards.

Run: .venv/bin/python -m bench.shards_bench [--guilds 20000] [--burst 2000] [--bursts 3]
     [--changes 20] [--rounds 1] [--deadline 120] [--json FILE]

Each subject is started as the e2e tests start the bot (``tests/e2e/process.py``) against a
fresh loopback stand-in serving ``--shards`` shards and ``--guilds`` servers (guild ``k`` on
shard ``k % shards``), on a fresh PostgreSQL database of its own
(``GRIDBOT_TEST_DATABASE_URL``, as the tests). The cluster is ``--processes`` processes
sharing that database, each running an equal range of the shards; the single process runs
them all. Subjects alternate, cluster first, for ``--rounds``. Per run:

- start-up: the processes' start to every shard having read READY and all its servers;
- resident memory of the bot processes, summed, once they serve;
- bursts: ``--burst`` ``/grid position:N`` interactions at once, each in another server drawn
  from all of them (the same servers for both subjects; most are cold, so read from the
  database); latency from the interaction leaving the stand-in to its callback arriving,
  throughput from the first dispatch to the last callback. One unmeasured burst of the same
  size comes first: it opens the HTTP connections and fills each process's database pool
  (asyncpg prepares each statement once per connection), which would otherwise slow the first
  measured burst 2-4×. An interaction not acknowledged within ``--deadline`` seconds is
  refused by the stand-in: lost. The deadline is 120 s by default, as in ``e2e_bench``, so
  that every answer is timed; how many came later than Discord's own 3 s is counted apart
  (``--deadline 3`` makes those lost, as Discord would);
- propagation, ``--changes`` times: ``/settings answers:private`` (then ``public``) in a server
  of the first process's shards, then ``/grid`` in that server on a shard of the last process
  (the stand-in delivers it there, as while a shard moves between processes), asked again
  until it answers from the change. The delay runs from the NOTIFY reaching this benchmark (it
  LISTENs beside the bot processes) to that answer; it is also given from the change's own
  answer. For the single process, the same steps on its own shards.

Figures are pooled over rounds (latencies) or their median; the cluster's are also given as
ratios to the single process's. No target: the machine's 2 cores are shared with the stand-in.
The exit status is 1 when any interaction was lost or answered wrongly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from bench.e2e_bench import memory, percentile, stand_in_gc_paused
from bot.storage import notify, parse_url
from tests.databases import fresh_postgres
from tests.e2e.process import BotProcess, bot_env
from tests.e2e.standin import StandIn, payloads
from tests.e2e.standin.recorder import Predicate, Recorded
from tests.e2e.standin.server import CALLBACK

PLACES = 34
"""Cars on the seed grid: positions cycle over 1..34."""
ANSWER_TIMEOUT = 10.0
BURST_GRACE = 30.0
"""Beyond the deadline, how long a burst's last callbacks may take to arrive (refused ones too)."""
HEARD_TIMEOUT = 30.0
BURST_PAUSE = 0.5
DISCORD_DEADLINE_MS = 3000.0
DEFERRED = 5
"""The callback type of a deferred answer ("the bot is thinking")."""


@dataclass(frozen=True)
class Plan:
    guilds: int = 20_000
    shards: int = 4
    processes: int = 2
    burst: int = 2_000
    bursts: int = 3
    changes: int = 20
    rounds: int = 1
    deadline: float = 120.0
    max_concurrency: int = 1

    @property
    def startup_timeout(self) -> float:
        # Every shard's servers, sent and read, plus 5 s per IDENTIFY of one bucket.
        return 120.0 + self.guilds / 100 + 6 * self.shards / max(1, self.max_concurrency)


@dataclass(frozen=True)
class Subject:
    name: str
    ranges: tuple[str, ...]
    """``GRIDBOT_SHARD_IDS`` of each process."""


@dataclass
class Run:
    subject: str
    startup_s: float = 0.0
    rss_mb: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    sent: int = 0
    answered: int = 0
    wrong: list[str] = field(default_factory=list)
    late: int = 0
    """Answered, but after Discord's 3 s (with a longer ``--deadline``)."""
    deferred: int = 0
    """Acknowledged in time as "thinking" (a cold server's library still being read, see
    ``bot.tenancy.DEFER_AFTER``), then answered by a followup: its answer is checked."""
    notify_ms: list[float] = field(default_factory=list)
    """NOTIFY heard → the other process answers from the change."""
    change_ms: list[float] = field(default_factory=list)
    """The change answered → the other process answers from it."""
    polls: list[int] = field(default_factory=list)
    exit_codes: list[int | None] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return self.sent - self.answered


def ranges(shards: int, processes: int) -> tuple[str, ...]:
    """Equal consecutive ranges of shard ids, one per process (``0-1``, ``2-3``)."""
    each = shards // processes
    return tuple(f"{n * each}-{(n + 1) * each - 1}" for n in range(processes))


def subjects(plan: Plan) -> tuple[Subject, Subject]:
    return (
        Subject("cluster", ranges(plan.shards, plan.processes)),
        Subject("single", ranges(plan.shards, 1)),
    )


def shards_of(shard_ids: str) -> list[int]:
    first, _, last = shard_ids.partition("-")
    return list(range(int(first), int(last or first) + 1))


class Notifications:
    """The database's notifications as they reach this process, with when."""

    def __init__(self) -> None:
        self.heard: list[tuple[float, str]] = []
        self.arrived = asyncio.Event()
        self.connection: Any = None

    async def start(self, url: str) -> None:
        self.connection = await asyncpg.connect(notify.driver_dsn(parse_url(url)))
        await self.connection.add_listener(notify.CHANNEL, self._heard)

    def _heard(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        self.heard.append((time.monotonic(), payload))
        self.arrived.set()

    async def next_for(self, guild: int, after: int) -> float:
        """When the first notification about ``guild`` after the ``after``-th arrived."""
        async with asyncio.timeout(HEARD_TIMEOUT):
            while True:
                for at, payload in self.heard[after:]:
                    if payload.endswith(f" server {guild}"):
                        return at
                self.arrived.clear()
                await self.arrived.wait()

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()


async def start_processes(
    standin: StandIn, subject: Subject, url: str, workdir: Path, plan: Plan
) -> list[BotProcess]:
    processes = []
    for number, shard_ids in enumerate(subject.ranges):
        folder = workdir / f"{subject.name}-{number}"
        folder.mkdir()
        env = bot_env(
            standin.base_url,
            standin.world.token,
            folder,
            GRIDBOT_DATABASE_URL=url,
            GRIDBOT_SHARD_COUNT=str(plan.shards),
            GRIDBOT_SHARD_IDS=shard_ids,
            GRIDBOT_LOG_LEVEL="WARNING",
        )
        processes.append(await BotProcess(env, folder).start())
    return processes


def identified(shard: int, count: int) -> Predicate:
    def matches(r: Recorded) -> bool:
        return r.key == "WS IDENTIFY" and r.json["d"]["shard"] == [shard, count]

    return matches


async def until_serving(
    standin: StandIn, subject: Subject, processes: list[BotProcess], plan: Plan
) -> None:
    for process, shard_ids in zip(processes, subject.ranges, strict=True):
        for shard in shards_of(shard_ids):
            try:
                await standin.wait_for(identified(shard, plan.shards), timeout=plan.startup_timeout)
                await standin.gateway.caught_up(shard=shard, timeout=plan.startup_timeout)
            except (TimeoutError, RuntimeError) as error:
                raise RuntimeError(
                    f"{subject.name}: shard {shard} did not come up: {error}\n{process.output}"
                ) from None
    if not standin.rest.commands.get(None):
        raise RuntimeError(f"{subject.name}: no global commands synced")


def settled_callbacks(ids: set[str]) -> Predicate:
    def settled(r: Recorded) -> bool:
        mine = r.key == CALLBACK and r.match.get("interaction_id") in ids
        return mine and r.status is not None and r.status != 429 and r.status < 500

    return settled


async def burst(standin: StandIn, guilds: list[int], run: Run | None, plan: Plan) -> None:
    """One interaction in each of ``guilds`` at once; counted into ``run`` unless ``None``."""
    built = []
    for number, guild in enumerate(guilds):
        position = number % PLACES + 1
        options = standin.typed_options("grid", {"position": position}, guild=guild)
        built.append((position, standin.build_interaction("grid", options, guild=guild)))
    with stand_in_gc_paused():
        ids = [await standin.dispatch_interaction(payload) for _, payload in built]
        settled = settled_callbacks(set(ids))
        # Whatever has no callback when this times out is counted below as lost.
        with contextlib.suppress(TimeoutError):
            await standin.wait_for(settled, timeout=plan.deadline + BURST_GRACE, count=len(ids))
    if run is None:
        return
    by_id = {r.match["interaction_id"]: r for r in standin.recorder.find(settled)}
    began = standin.interactions.by_id[ids[0]].dispatched_at
    last = began
    run.sent += len(ids)
    for interaction, (position, _) in zip(ids, built, strict=True):
        record = by_id.get(interaction)
        if record is None or record.status is None or record.status >= 300:
            continue
        run.answered += 1
        last = max(last, record.at)
        latency = (record.at - standin.interactions.by_id[interaction].dispatched_at) * 1000
        run.latencies_ms.append(latency)
        run.late += latency > DISCORD_DEADLINE_MS
        data = (record.json or {}).get("data") or {}
        if (record.json or {}).get("type") == DEFERRED:
            run.deferred += 1
            try:
                data = (await standin.wait_for_followup(interaction, timeout=BURST_GRACE)).body
            except (TimeoutError, AssertionError) as error:
                run.wrong.append(f"position {position}: deferred, then no answer ({error})")
                continue
        embeds = data.get("embeds") or [{}]
        title = str(embeds[0].get("title", ""))
        if not title.startswith(f"P{position} "):
            run.wrong.append(f"position {position}: {title}")
    if last > began:
        run.rates.append(len(ids) / (last - began))


async def propagation(
    standin: StandIn, notes: Notifications, run: Run, plan: Plan, via_shard: int
) -> None:
    """``--changes`` settings changes in a server of shard 0, each followed by ``/grid`` in
    that server on ``via_shard`` until it answers from the change."""
    guild = standin.world.guild_id  # shard 0
    manager = payloads.MANAGER_PERMISSIONS
    await standin.ask("grid", position=5, guild=guild, via_shard=via_shard, timeout=ANSWER_TIMEOUT)
    for number in range(plan.changes):
        private = number % 2 == 0
        seen = len(notes.heard)
        change = await standin.ask(
            "settings",
            answers="private" if private else "public",
            guild=guild,
            permissions=manager,
            timeout=ANSWER_TIMEOUT,
        )
        heard_at = await notes.next_for(guild, seen)
        polls = 0
        while True:
            polls += 1
            answer = await standin.ask(
                "grid", position=5, guild=guild, via_shard=via_shard, timeout=ANSWER_TIMEOUT
            )
            if answer.ephemeral == private:
                break
        run.notify_ms.append(max(0.0, answer.record.at - heard_at) * 1000)
        run.change_ms.append((answer.record.at - change.record.at) * 1000)
        run.polls.append(polls)


async def measure(subject: Subject, plan: Plan, workdir: Path, number: int) -> Run:
    run = Run(subject.name)
    standin = StandIn(
        deadline=plan.deadline,
        shards=plan.shards,
        guilds=plan.guilds,
        max_concurrency=plan.max_concurrency,
    )
    async with standin, fresh_postgres() as url:
        notes = Notifications()
        await notes.start(url)
        began = time.monotonic()
        processes = await start_processes(standin, subject, url, workdir, plan)
        try:
            await until_serving(standin, subject, processes, plan)
            run.startup_s = time.monotonic() - began
            run.rss_mb = sum(memory(p.proc.pid)["VmRSS"] for p in processes if p.proc)
            guilds = list(standin.world.guild_ids)
            draw = random.Random(number)
            await burst(standin, draw.sample(guilds, min(plan.burst, len(guilds))), None, plan)
            for _ in range(plan.bursts):
                await asyncio.sleep(BURST_PAUSE)
                await burst(standin, draw.sample(guilds, min(plan.burst, len(guilds))), run, plan)
            await propagation(standin, notes, run, plan, via_shard=plan.shards - 1)
        finally:
            await notes.close()
            for process in processes:
                await process.stop()
            run.exit_codes = [process.returncode for process in processes]
    return run


@dataclass(frozen=True)
class Summary:
    startup_s: float
    rss_mb: float
    p50_ms: float
    p99_ms: float
    per_second: float
    sent: int
    lost: int
    wrong: int
    late: int
    deferred: int
    notify_p50_ms: float
    notify_max_ms: float
    change_p50_ms: float
    change_max_ms: float


def summarise(runs: list[Run]) -> Summary:
    latencies = [ms for run in runs for ms in run.latencies_ms]
    notified = [ms for run in runs for ms in run.notify_ms]
    changed = [ms for run in runs for ms in run.change_ms]
    rates = [rate for run in runs for rate in run.rates]
    return Summary(
        startup_s=statistics.median(run.startup_s for run in runs),
        rss_mb=statistics.median(run.rss_mb for run in runs),
        p50_ms=statistics.median(latencies) if latencies else float("nan"),
        p99_ms=percentile(latencies, 0.99) if latencies else float("nan"),
        per_second=statistics.median(rates) if rates else 0.0,
        sent=sum(run.sent for run in runs),
        lost=sum(run.lost for run in runs),
        wrong=sum(len(run.wrong) for run in runs),
        late=sum(run.late for run in runs),
        deferred=sum(run.deferred for run in runs),
        notify_p50_ms=statistics.median(notified),
        notify_max_ms=max(notified),
        change_p50_ms=statistics.median(changed),
        change_max_ms=max(changed),
    )


ROWS = (
    ("start → every shard serving", "startup_s", "{:.1f} s"),
    ("RSS, bot processes summed", "rss_mb", "{:.0f} MiB"),
    ("burst latency p50", "p50_ms", "{:.0f} ms"),
    ("burst latency p99", "p99_ms", "{:.0f} ms"),
    ("burst throughput", "per_second", "{:,.0f}/s"),
    ("interactions sent", "sent", "{:,d}"),
    ("interactions lost", "lost", "{:d}"),
    ("answered after Discord's 3 s", "late", "{:,d}"),
    ("deferred, then answered", "deferred", "{:,d}"),
    ("NOTIFY → answered from the change, p50", "notify_p50_ms", "{:.1f} ms"),
    ("NOTIFY → answered from the change, max", "notify_max_ms", "{:.1f} ms"),
    ("change answered → answered from it, p50", "change_p50_ms", "{:.1f} ms"),
    ("change answered → answered from it, max", "change_max_ms", "{:.1f} ms"),
)


def table(cluster: Summary, single: Summary, plan: Plan) -> str:
    head = f"{plan.processes} processes × {plan.shards // plan.processes} shards"
    lines = [
        f"| metric | {head} | 1 process × {plan.shards} shards | ratio |",
        "|---|---|---|---|",
    ]
    for label, name, shown in ROWS:
        a, b = getattr(cluster, name), getattr(single, name)
        ratio = f"{a / b:.2f}×" if b else "—"
        lines.append(f"| {label} | {shown.format(a)} | {shown.format(b)} | {ratio} |")
    return "\n".join(lines)


def describe(run: Run) -> str:
    p50 = statistics.median(run.latencies_ms) if run.latencies_ms else float("nan")
    return (
        f"{run.subject:<7} serving after {run.startup_s:.1f} s, RSS {run.rss_mb:.0f} MiB, "
        f"{run.answered}/{run.sent} answered ({run.late} after 3 s, {run.deferred} deferred; "
        f"p50 {p50:.0f} ms), bursts "
        f"{', '.join(f'{rate:,.0f}' for rate in run.rates)}/s, propagation p50 "
        f"{statistics.median(run.notify_ms):.1f} ms after NOTIFY "
        f"({statistics.median(run.polls):.0f} asks), exit {run.exit_codes}"
    )


async def bench(plan: Plan) -> tuple[Summary, Summary]:
    runs: dict[str, list[Run]] = {"cluster": [], "single": []}
    with tempfile.TemporaryDirectory(prefix="gridbot-shards-bench-") as tmp:
        for number in range(plan.rounds):
            for subject in subjects(plan):
                workdir = Path(tmp) / f"round{number}"
                workdir.mkdir(exist_ok=True)
                run = await measure(subject, plan, workdir, number)
                runs[subject.name].append(run)
                print(f"  round {number + 1}: {describe(run)}", flush=True)
                for problem in run.wrong[:5]:
                    print(f"    wrong: {problem}", flush=True)
    return summarise(runs["cluster"]), summarise(runs["single"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.shards_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--guilds", type=int, default=Plan.guilds, help="servers in the world")
    parser.add_argument("--shards", type=int, default=Plan.shards)
    parser.add_argument("--processes", type=int, default=Plan.processes)
    parser.add_argument("--burst", type=int, default=Plan.burst, help="interactions at once")
    parser.add_argument("--bursts", type=int, default=Plan.bursts, help="measured bursts a run")
    parser.add_argument("--changes", type=int, default=Plan.changes)
    parser.add_argument("--rounds", type=int, default=Plan.rounds)
    parser.add_argument("--deadline", type=float, default=Plan.deadline, help="ack deadline, s")
    parser.add_argument("--max-concurrency", type=int, default=Plan.max_concurrency)
    parser.add_argument("--json", type=Path, help="also write both summaries here, as JSON")
    args = parser.parse_args(argv)
    if args.shards % args.processes:
        parser.error("--shards must be a multiple of --processes")
    plan = Plan(
        args.guilds,
        args.shards,
        args.processes,
        args.burst,
        args.bursts,
        args.changes,
        args.rounds,
        args.deadline,
        args.max_concurrency,
    )
    print(
        f"shards across processes: {plan.guilds:,} servers, {plan.shards} shards, "
        f"{plan.processes} processes beside 1; {plan.bursts} bursts of {plan.burst:,}, "
        f"{plan.changes} changes, {plan.rounds} round(s), ack deadline {plan.deadline:g} s",
        flush=True,
    )
    started = time.monotonic()
    cluster, single = asyncio.run(bench(plan))
    print(table(cluster, single, plan))
    print(f"({time.monotonic() - started:.0f} s)")
    if args.json:
        found = {"cluster": asdict(cluster), "single": asdict(single), "plan": asdict(plan)}
        args.json.write_text(json.dumps(found, indent=1), encoding="utf-8")
    ok = cluster.lost == single.lost == 0 and cluster.wrong == single.wrong == 0
    print("none lost" if ok else "SOME LOST OR WRONG")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
