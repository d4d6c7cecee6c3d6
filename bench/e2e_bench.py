"""End to end: the real bot beside four floor bots, over the loopback stand-in.

Run: .venv/bin/python -m bench.e2e_bench [--rounds 5] [--sequential 1000] [--burst 500]

The floors answer a constant. ``tests/e2e/floor_bot.py`` answers ``/floor``, no options, with a
text, in two set-ups:

- **plain**: discord.py as ``pip install discord.py`` gives it, on asyncio's own loop (launched
  with ``GRIDBOT_E2E_PLAIN=1``, which makes the speed packages and uvloop unimportable): the
  floor the issue set its targets against;
- **speed**: ``discord.py[speed]`` (orjson, zstandard, aiodns, Brotli) on uvloop, the set-up
  the bot itself runs on.

``tests/e2e/same_floor.py`` asks the bot's question: ``/grid position event`` with the bot's
option ranges, in a cog of an ``AutoShardedBot``, answering the bot's own embed for ``/grid
5``, built once. discord.py's work for options, cogs and an embed is in it, and none of ours:

- **same**: on the speed set-up: what the bot costs beyond it is our code alone;
- **plain-same**: on a plain discord.py: the bot as a user would otherwise build it, the
  targets against the plain floor checked against it too.

Each subject is started as the e2e tests start it (``tests/e2e/process.py``: ``python -m
tests.e2e.launch <module>``, clean environment, seed data) against a stand-in of its own. In
each round every subject is started, one after another, and then they take turns: a block of
``SEQUENTIAL_BLOCK`` sequential commands each, then a burst each, the order rotating, so that
a disturbance of the machine, which lasts from milliseconds to seconds, falls on every subject
alike (with a round per subject, the bot's ratio to a floor moved from 0.6× to 1.5× from one
round to the next). Per run:

- start-up: process start to READY (guild commands synced, IDENTIFY answered with READY), the
  bot's database already at the newest revision (``python -m bot db upgrade`` beforehand,
  untimed), as at every start but the first (``--empty-database``: the first);
- resident memory (VmRSS from ``/proc/<pid>/status``) at idle, ``IDLE_SETTLE`` (3 s) after
  READY, once ``on_ready`` and what follows it are done;
- sequential latency: after a warm-up, ``--sequential`` commands one at a time, back to back
  (``/grid position:5`` for the bot and the same-question floors, ``/floor`` for the others),
  each from INTERACTION_CREATE leaving the stand-in to the callback arriving at it;
- burst: ``--burst`` interactions dispatched at once, interactions per second from the first
  dispatch to the last callback; a first burst, which opens the HTTP connections (shown
  apart, as ``first burst``), then ``--bursts`` measured ones; then VmRSS again and VmHWM
  (the peak);
- lost: commands not answered within the time limit, or answered wrongly.

Also the CPU time the subject spent per command (``/proc/<pid>/task/*/schedstat``), which
other load on the machine disturbs far less than wall-clock times. Latencies are pooled over
the rounds, everything else is the median. The results are the bot's ratios to each floor, so
the targets hold on any machine. This process (the stand-in) and the subjects are pinned to
two different CPUs when there are two.

Finding causes:
``--profile DIR``   py-spy on each subject during the last round's commands (folded stacks and
                    a flat profile, ``pip install py-spy``) and its start-up ``-X importtime``;
``--variant L=DIR`` the bot again from DIR, a scratch copy of the repository with a change to
                    try, in the same alternation: a column of ratios per variant;
``--also L=KIND[,NAME=VALUE...]``
                    another subject, ``floor``, ``same`` or ``bot``, with extra environment,
                    e.g. ``--also floor-nodns=floor,GRIDBOT_E2E_BLOCK=aiodns``, or
                    ``--also same-heavy=same,GRIDBOT_E2E_IMPORT=bot.app`` (the bot's libraries
                    resident in the floor; ``tests/e2e/launch.py``);
``--bot-env N=V``   extra environment for the bot only, e.g. ``GRIDBOT_LOG_LEVEL=WARNING``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.logs import FLUSH_AFTER
from tests.e2e.launch import PLAIN as PLAIN_ENV
from tests.e2e.process import SEED_DATA, BotProcess, bot_env
from tests.e2e.same_floor import EMBED_ENV
from tests.e2e.standin import CallbackResult, StandIn
from tests.e2e.standin.server import CALLBACK

T = TypeVar("T")
GUILD_SYNC = "PUT /applications/{application_id}/guilds/{guild_id}/commands"
STARTUP_TIMEOUT = 30.0
ANSWER_TIMEOUT = 5.0
BURST_TIMEOUT = 60.0
ACK_DEADLINE = 120.0
"""The stand-in's acknowledgement deadline here: Discord's 3 s would turn a slow burst into
refusals, and the point is to time every answer."""
IDLE_SETTLE = 3.0
"""Seconds from READY to the first command. discord.py dispatches ``on_ready`` only once no
GUILD_CREATE has come for 2 s (``guild_ready_timeout``), and the bot's start-up database work
follows it: the commands are timed after that, not beside it."""
BURST_PAUSE = 0.2
SEQUENTIAL_BLOCK = 50
"""Sequential commands a subject answers before the next takes its turn: some 30 ms."""
SEQUENTIAL_GAP = 0.005
"""Seconds from a block's last answer to the next subject's turn: time for the subject that
answered to finish what follows its answer (reading Discord's reply, its log line), a fraction
of a millisecond, before the next is asked on the same CPU."""
WARMUP = 20
LATE_WORK = 2 * FLUSH_AFTER + 0.1
"""Seconds after a subject's last command in which what it left for later is done and counted:
the bot's command lines are written up to ``FLUSH_AFTER`` after the command."""

_CPUS = sorted(os.sched_getaffinity(0))
PINNED = ({_CPUS[0]}, {_CPUS[1]}) if len(_CPUS) >= 2 else None
"""CPUs for the stand-in (this process) and for the subject: apart, as Discord and a bot would
be, and the same in every run, so where the scheduler happens to put them is not a variable."""

LATENCY_RATIO = 0.90
"""Sequential p50 at most this × the plain floor's."""
CPU_RATIO = 1.00
"""CPU per command at most this × the plain floor's."""
CPU_OVERHEAD_RATIO = 1.05
"""CPU per command at most this × the speed floor's, and × the same-question floor's: what our
own code may add."""
THROUGHPUT_RATIO = 1.00
"""Burst throughput at least this × the plain floor's."""


@dataclass(frozen=True)
class Subject:
    """A bot module, the command it is asked, and the environment it runs in."""

    name: str
    module: str
    command: str
    options: dict[str, Any]
    source: Path | None = None
    """Another copy of the repository to run it from (``--variant``); this one if ``None``."""
    env: tuple[tuple[str, str], ...] = ()

    @property
    def is_bot(self) -> bool:
        return self.module == "bot"


PLAIN = Subject("plain", "tests.e2e.floor_bot", "floor", {}, env=((PLAIN_ENV, "1"),))
SPEED = Subject("speed", "tests.e2e.floor_bot", "floor", {})
BOT = Subject("bot", "bot", "grid", {"position": 5})
PLAIN_SAME = "plain-same"


def same_question() -> Subject:
    """The same-question floor, given the bot's answer to ``/grid 5`` on the seed grid."""
    from bot.core import queries
    from bot.core.loader import load_grid
    from bot.rendered import render

    grid = load_grid(SEED_DATA / "2003-1000km-le-mans-qualifying.md")
    _cards, embed = render(queries.grid_or_slot(grid, 5))
    answer = json.dumps(embed.to_dict())
    return Subject(
        "same", "tests.e2e.same_floor", "grid", {"position": 5}, env=((EMBED_ENV, answer),)
    )


def plain_same_question() -> Subject:
    """The same question on a plain discord.py (``GRIDBOT_E2E_PLAIN=1``): the bot as a user
    would otherwise build it, without the speed packages and uvloop."""
    same = same_question()
    return Subject(PLAIN_SAME, same.module, same.command, same.options, env=(*PLAIN.env, *same.env))


@dataclass(frozen=True)
class Plan:
    rounds: int = 5
    sequential: int = 1000
    """Commands one at a time per run: with 200, the CPU per command of the same subject moved
    by ±20 % from round to round on this shared machine; 1,000 take some 0.5 s more a run."""
    burst: int = 500
    bursts: int = 10
    profile: Path | None = None
    bot_env: tuple[tuple[str, str], ...] = ()
    """Extra environment for the bot only (``--bot-env GRIDBOT_LOG_LEVEL=WARNING``)."""
    extra: tuple[Subject, ...] = ()
    """More subjects: the bot from other copies of the repository (``--variant``), a floor
    or the bot in another environment (``--also``)."""
    empty_database: bool = False
    """Start the bot on an empty database (its first start: it migrates, importing Alembic)
    rather than on one at the newest revision, as every later start is."""


@dataclass
class Run:
    """One subject's measurements in one round."""

    subject: str
    startup_s: float = 0.0
    first_answer_ms: float = 0.0
    rss_idle_mb: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    cpu_sequential_us: float = 0.0
    cpu_burst_us: float = 0.0
    standin_cpu_burst_us: float = 0.0
    """The stand-in's own CPU time per burst item (this process, from each burst's first
    dispatch to its last answer): when it nears the time per item, the stand-in and not the
    subject sets the pace."""
    first_burst_rate: float = 0.0
    """The first burst, which opens the HTTP connections: not counted in ``burst_rates``."""
    burst_rates: list[float] = field(default_factory=list)
    burst_p99_ms: list[float] = field(default_factory=list)
    rss_burst_mb: float = 0.0
    hwm_mb: float = 0.0
    lost: int = 0
    """Commands not answered in time, or answered wrongly."""
    exit_code: int | None = None


def memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of ``pid``, in MiB."""
    found: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time of every thread of ``pid`` so far, in seconds (``schedstat``, nanoseconds)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text(encoding="ascii").split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue  # a thread that just ended
    return total / 1e9


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile, ``fraction`` of 1."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))]


class Profiler:
    """py-spy recording one process until stopped (a no-op when py-spy is not installed)."""

    def __init__(self, out: Path, label: str) -> None:
        self.out = out
        self.label = label
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def folded(self) -> Path:
        return self.out / f"{self.label}.folded"

    def start(self, pid: int) -> None:
        spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        if not Path(spy).exists():
            print("  py-spy is not installed (pip install py-spy): not profiling")
            return
        self.out.mkdir(parents=True, exist_ok=True)
        command = [spy, "record", "--pid", str(pid), "--rate", "1000", "--nonblocking"]
        command += ["--format", "raw", "--output", str(self.folded)]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(0.5)  # attached before the work starts

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.folded.exists():
            flat = flat_profile(self.folded.read_text(encoding="utf-8"))
            (self.out / f"{self.label}.txt").write_text(flat, encoding="utf-8")


def flat_profile(folded: str, top: int = 50) -> str:
    """Inclusive and self share of the samples per function, from py-spy's folded stacks.

    Functions are named ``name (file)``, line numbers dropped, so a function is counted once
    however many of its lines were sampled.
    """
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in folded.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        total += count
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    lines = [f"{total} samples", "", " incl%   self%  function"]
    for frame, count in inclusive.most_common(top):
        lines.append(f"{100 * count / total:6.1f}  {100 * own[frame] / total:6.1f}  {frame}")
    lines += ["", " self%  function"]
    for frame, count in own.most_common(top):
        lines.append(f"{100 * count / total:6.1f}  {frame}")
    lines += ["", " incl%  the project's own code (bot/)"]
    for frame, count in inclusive.most_common():
        if "(bot/" in frame:
            lines.append(f"{100 * count / total:6.1f}  {frame}")
    lines += ["", "   %   the path of a command, by stage (the deepest stage in each sample)"]
    for stage, count in stages(folded).items():
        lines.append(f"{100 * count / total:6.1f}  {stage}")
    return "\n".join(lines) + "\n"


STAGES = (
    ("gateway frame read (websocket, zstd, JSON)", r"DiscordWebSocket\.|ClientWebSocketResp"),
    (
        "interaction parsed and dispatched",
        r"parse_interaction_create|Interaction\._from_data|"
        r"Client\.dispatch|BotBase\.dispatch|_from_interaction",
    ),
    (
        "tree and options (discord.py)",
        r"CommandTree\._call|Command\._invoke_with_namespace|"
        r"Command\._do_call|_transform_arguments|Namespace|_check_can_run",
    ),
    ("our command: view, rendering, send", r"\(bot/(?!cli|loop|__main__)"),
    (
        "callback payload (embed, mentions, JSON)",
        r"interaction_message_response_params|"
        r"InteractionResponse\.send_message|create_interaction_response",
    ),
    (
        "callback POST (aiohttp, yarl)",
        r"ClientSession\._request|_BaseRequestContextManager|"
        r"AsyncWebhookAdapter\.request",
    ),
    (
        "callback's answer parsed (message, embed)",
        r"InteractionCallbackResponse|"
        r"Message\.__init__|Embed\.from_dict|InteractionMessage",
    ),
    ("the log line", r"\(logging/|\(bot/logs\.py|describe\.__str__|elapsed_ms"),
)
"""Where a command's time goes, from the frame's arrival to its answer, as py-spy's stacks
show it: each stage named by the frames that mark it."""


def stages(folded: str) -> dict[str, int]:
    """Samples per stage of :data:`STAGES`: each sample counts for the stage whose frame is
    deepest in its stack; a stack with none (the event loop's own work, reading sockets) for
    ``event loop and the rest``."""
    found = dict.fromkeys([name for name, _ in STAGES] + ["event loop and the rest"], 0)
    for line in folded.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        frames = stack.split(";")
        best, depth = "event loop and the rest", -1
        for name, pattern in STAGES:
            for number, frame in enumerate(frames):
                if number > depth and re.search(pattern, frame):
                    best, depth = name, number
        found[best] += int(count_text)
    return found


@contextlib.contextmanager
def stand_in_gc_paused() -> Iterator[None]:
    """No garbage collection in this process (the stand-in) while it is timing the subject.

    The stand-in keeps every request it recorded, so a full collection here can take tens of
    milliseconds: Discord's pauses are not the bot's. The subject collects as it always does.
    Inside another such pause this does nothing: one collection before a whole round's
    measurements, not one per burst over the growing records of five stand-ins.
    """
    if not gc.isenabled():
        yield
        return
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass(frozen=True)
class Burst:
    seconds: float
    p99_ms: float
    lost: int
    standin_cpu: float = 0.0
    """The stand-in's CPU time (this process) from the first dispatch to the last answer."""


def right(subject: Subject, answer: CallbackResult) -> bool:
    """A fast wrong answer is no benchmark: every answer must be a plain, visible message."""
    return answer.type == 4 and not answer.ephemeral and bool(answer.text)


async def burst_of(standin: StandIn, subject: Subject, size: int) -> Burst:
    """Dispatch ``size`` interactions back to back; time until the last one is answered.
    Those not answered within ``BURST_TIMEOUT``, or answered wrongly, are lost."""
    options = standin.typed_options(subject.command, subject.options)
    payloads = [standin.build_interaction(subject.command, options) for _ in range(size)]
    with stand_in_gc_paused():
        own = time.process_time()
        ids = [await standin.dispatch_interaction(payload) for payload in payloads]
        try:
            answers = await standin.wait_for_responses(ids, timeout=BURST_TIMEOUT)
        except (TimeoutError, AssertionError):  # some unanswered, or refused by "Discord"
            answers = answered(standin, ids)
        own = time.process_time() - own
    good = [answer for answer in answers if right(subject, answer)]
    if not good:
        return Burst(float("inf"), float("inf"), size)
    began = standin.interactions.by_id[ids[0]].dispatched_at
    seconds = max(answer.record.at for answer in good) - began
    p99 = percentile([answer.latency * 1000 for answer in good], 0.99)
    return Burst(seconds, p99, size - len(good), own)


def answered(standin: StandIn, ids: list[str]) -> list[CallbackResult]:
    """The callbacks "Discord" accepted for ``ids`` so far."""
    wanted = set(ids)
    found = []
    for record in standin.requests(CALLBACK):
        if record.match.get("interaction_id") in wanted and record.status == 200:
            dispatched = standin.interactions.by_id[record.match["interaction_id"]].dispatched_at
            found.append(CallbackResult(record, record.at - dispatched))
    return found


async def ask(standin: StandIn, subject: Subject) -> CallbackResult | None:
    """One command, and its answer if it came in time and was right."""
    try:
        answer = await standin.ask(subject.command, timeout=ANSWER_TIMEOUT, **subject.options)
    except (TimeoutError, AssertionError):
        return None
    return answer if right(subject, answer) else None


@dataclass
class Live:
    """A subject started, settled and warmed up, with its own stand-in."""

    subject: Subject
    standin: StandIn
    process: BotProcess
    pid: int
    run: Run


def turns(items: list[T], number: int) -> list[T]:
    """``items`` starting at ``number`` (modulo their count): who goes first rotates."""
    turn = number % len(items)
    return items[turn:] + items[:turn]


async def sequential(lives: list[Live], plan: Plan) -> None:
    """``plan.sequential`` commands to each subject, one at a time, with the CPU time each
    spent on them (inside the round's :func:`stand_in_gc_paused`).

    The subjects take turns in blocks of ``SEQUENTIAL_BLOCK`` commands, so that a disturbance
    of the machine, which lasts from milliseconds to seconds, falls on all of them alike, while
    within a block each answers commands back to back, warm, as it would alone. After its
    block, a subject has ``SEQUENTIAL_GAP`` to finish what follows its last answer before the
    next is asked (they share a CPU). A subject's CPU time is counted from before its first
    block to ``LATE_WORK`` after the last block of all: everything it did in that time, the
    work it leaves for later (the bot writes its command lines together, a fraction of a
    second later) and its idle moments while the others took their turns included.
    """
    before = {live.pid: cpu_seconds(live.pid) for live in lives}
    blocks = -(-plan.sequential // SEQUENTIAL_BLOCK)
    for block in range(blocks):
        size = min(SEQUENTIAL_BLOCK, plan.sequential - block * SEQUENTIAL_BLOCK)
        for live in turns(lives, block):
            for _ in range(size):
                answer = await ask(live.standin, live.subject)
                if answer is None:
                    live.run.lost += 1
                else:
                    live.run.latencies_ms.append(answer.latency * 1000)
            await asyncio.sleep(SEQUENTIAL_GAP)
    await asyncio.sleep(LATE_WORK)
    for live in lives:
        spent = cpu_seconds(live.pid) - before[live.pid]
        live.run.cpu_sequential_us = spent / plan.sequential * 1e6


async def bursts(lives: list[Live], plan: Plan) -> None:
    """A first burst for each subject (it opens the HTTP connections: timed apart, and what it
    loses is lost), then ``plan.bursts`` measured ones each, the subjects taking turns burst
    by burst, ``BURST_PAUSE`` after each; each subject's CPU time from the first measured
    burst to ``LATE_WORK`` after the last (as in :func:`sequential`)."""
    for live in lives:
        first = await burst_of(live.standin, live.subject, plan.burst)
        live.run.first_burst_rate = plan.burst / first.seconds
        live.run.lost += first.lost
        await asyncio.sleep(BURST_PAUSE)
    await asyncio.sleep(LATE_WORK)
    before = {live.pid: cpu_seconds(live.pid) for live in lives}
    own = dict.fromkeys([live.pid for live in lives], 0.0)
    for number in range(plan.bursts):
        for live in turns(lives, number):
            burst = await burst_of(live.standin, live.subject, plan.burst)
            await asyncio.sleep(BURST_PAUSE)
            own[live.pid] += burst.standin_cpu
            live.run.burst_rates.append(plan.burst / burst.seconds)
            live.run.burst_p99_ms.append(burst.p99_ms)
            live.run.lost += burst.lost
    await asyncio.sleep(LATE_WORK)
    items = plan.bursts * plan.burst
    for live in lives:
        live.run.cpu_burst_us = (cpu_seconds(live.pid) - before[live.pid]) / items * 1e6
        live.run.standin_cpu_burst_us = own[live.pid] / items * 1e6


async def migrated(env: dict[str, str], workdir: Path) -> None:
    """``python -m bot db upgrade`` in the bot's environment: its database at the newest
    revision, as it is at every start but the first."""
    upgrade = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "db",
        "upgrade",
        env={k: v for k, v in env.items() if k != "PYTHONPROFILEIMPORTTIME"},
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, errors = await upgrade.communicate()
    if upgrade.returncode != 0:
        raise RuntimeError(f"python -m bot db upgrade failed: {errors.decode()}")


async def start(
    subject: Subject,
    workdir: Path,
    plan: Plan,
    stack: contextlib.AsyncExitStack,
    *,
    profile: bool,
) -> Live:
    """Start ``subject`` against a fresh stand-in (both closed with ``stack``): its start-up,
    idle memory, first answer and warm-up."""
    run = Run(subject.name)
    extra = {"PYTHONPROFILEIMPORTTIME": "1"} if profile else {}
    extra.update(subject.env)
    if subject.is_bot:
        extra.update(plan.bot_env)
    if subject.source is not None:
        extra["PYTHONPATH"] = str(subject.source)
    standin = await stack.enter_async_context(StandIn(deadline=ACK_DEADLINE))
    guild = str(standin.world.guild_id)
    env = bot_env(
        standin.base_url, standin.world.token, workdir, GRIDBOT_DEV_GUILD_ID=guild, **extra
    )
    if subject.is_bot and not plan.empty_database:
        await migrated(env, workdir)
    # The subject's output to a file, as a service's goes to its journal: read through a pipe
    # here, the bot's line per command cost this process (the stand-in) 10-30 µs each.
    process = BotProcess(env, workdir, subject.module, log_file=workdir / "output.log")
    started = time.monotonic()
    await stack.enter_async_context(process)
    assert process.proc is not None
    pid = process.proc.pid
    if PINNED:
        with contextlib.suppress(ProcessLookupError):  # it may already have failed
            os.sched_setaffinity(pid, PINNED[1])
    try:
        (sync,) = await standin.wait_for_key(GUILD_SYNC, timeout=STARTUP_TIMEOUT)
        (identify,) = await standin.wait_for_key("WS IDENTIFY", timeout=STARTUP_TIMEOUT)
    except TimeoutError as error:
        message = f"{subject.name} did not come up: {error}\n{process.output}"
        raise RuntimeError(message) from None
    run.startup_s = max(sync.at, identify.at) - started
    await asyncio.sleep(IDLE_SETTLE)
    run.rss_idle_mb = memory(pid)["VmRSS"]
    first = await ask(standin, subject)
    if first is None:
        message = f"{subject.name} did not answer /{subject.command}\n{process.output}"
        raise RuntimeError(message)
    run.first_answer_ms = first.latency * 1000
    for _ in range(WARMUP):
        if await ask(standin, subject) is None:
            run.lost += 1
    return Live(subject, standin, process, pid, run)


async def one_round(
    subjects: list[Subject], number: int, tmp: Path, plan: Plan, *, profile: bool
) -> list[Run]:
    """Every subject started, one after another, then measured taking turns."""
    lives: list[Live] = []
    async with contextlib.AsyncExitStack() as stack:
        for subject in subjects:
            workdir = tmp / f"{subject.name}{number}"
            workdir.mkdir()
            lives.append(await start(subject, workdir, plan, stack, profile=profile))
        profilers = []
        if profile and plan.profile:
            profilers = [Profiler(plan.profile, live.subject.name) for live in lives]
            for profiler, live in zip(profilers, lives, strict=True):
                profiler.start(live.pid)
        try:
            with stand_in_gc_paused():
                await sequential(lives, plan)
                await bursts(lives, plan)
        finally:
            for profiler in profilers:
                profiler.stop()
        for live in lives:
            status = memory(live.pid)
            live.run.rss_burst_mb, live.run.hwm_mb = status["VmRSS"], status["VmHWM"]
    for live in lives:
        live.run.exit_code = live.process.returncode
        if profile and plan.profile:
            lines = live.process.output.splitlines(keepends=True)
            imports = "".join(line for line in lines if line.startswith("import time:"))
            plan.profile.mkdir(parents=True, exist_ok=True)
            path = plan.profile / f"{live.subject.name}.importtime"
            path.write_text(imports, encoding="utf-8")
    return [live.run for live in lives]


@dataclass(frozen=True)
class Summary:
    """One subject over every round."""

    startup_s: float
    first_answer_ms: float
    rss_idle_mb: float
    p50_ms: float
    p99_ms: float
    cpu_sequential_us: float
    burst_rate: float
    first_burst_rate: float
    cpu_burst_us: float
    standin_cpu_burst_us: float
    burst_p99_ms: float
    rss_burst_mb: float
    hwm_mb: float
    lost: int


def summarise(runs: list[Run]) -> Summary:
    latencies = [ms for run in runs for ms in run.latencies_ms] or [float("inf")]
    return Summary(
        startup_s=statistics.median(run.startup_s for run in runs),
        first_answer_ms=statistics.median(run.first_answer_ms for run in runs),
        rss_idle_mb=statistics.median(run.rss_idle_mb for run in runs),
        p50_ms=statistics.median(latencies),
        p99_ms=percentile(latencies, 0.99),
        cpu_sequential_us=statistics.median(run.cpu_sequential_us for run in runs),
        cpu_burst_us=statistics.median(run.cpu_burst_us for run in runs),
        standin_cpu_burst_us=statistics.median(run.standin_cpu_burst_us for run in runs),
        burst_rate=statistics.median(rate for run in runs for rate in run.burst_rates),
        first_burst_rate=statistics.median(run.first_burst_rate for run in runs),
        burst_p99_ms=statistics.median(ms for run in runs for ms in run.burst_p99_ms),
        rss_burst_mb=statistics.median(run.rss_burst_mb for run in runs),
        hwm_mb=statistics.median(run.hwm_mb for run in runs),
        lost=sum(run.lost for run in runs),
    )


@dataclass(frozen=True)
class Metric:
    """One line of the comparison: the two floors' values and the bot's, its ratio to each,
    and the targets there are, as bounds on those ratios."""

    name: str
    unit: str
    plain: float
    speed: float
    bot: float
    plain_bound: float | None = None
    speed_bound: float | None = None
    higher_is_better: bool = False
    same: float = float("nan")
    """The same-question floor's value."""
    same_bound: float | None = None
    plain_same: float = float("nan")
    """The plain same-question floor's value."""
    plain_same_bound: float | None = None

    @staticmethod
    def _ratio(bot: float, floor: float) -> float:
        if floor == 0:
            return 1.0 if bot == 0 else float("inf")
        return bot / floor

    @property
    def ratio(self) -> float:
        """The bot / the plain floor."""
        return self._ratio(self.bot, self.plain)

    @property
    def speed_ratio(self) -> float:
        """The bot / the speed floor."""
        return self._ratio(self.bot, self.speed)

    @property
    def same_ratio(self) -> float:
        """The bot / the same-question floor."""
        return self._ratio(self.bot, self.same)

    @property
    def plain_same_ratio(self) -> float:
        """The bot / the plain same-question floor."""
        return self._ratio(self.bot, self.plain_same)

    def _bounds(self) -> list[tuple[str, float, float | None]]:
        return [
            ("plain", self.ratio, self.plain_bound),
            ("speed", self.speed_ratio, self.speed_bound),
            ("same", self.same_ratio, self.same_bound),
            (PLAIN_SAME, self.plain_same_ratio, self.plain_same_bound),
        ]

    def _within(self, ratio: float, bound: float) -> bool:
        return ratio >= bound if self.higher_is_better else ratio <= bound

    @property
    def target(self) -> str:
        if self.unit == "lost":
            return "0"
        sign = "≥" if self.higher_is_better else "≤"
        parts = []
        if self.plain_bound is not None:
            parts.append(f"{sign} {self.plain_bound:.2f}× plain")
        if self.speed_bound is not None:
            parts.append(f"{sign} {self.speed_bound:.2f}× speed")
        if self.same_bound is not None:
            parts.append(f"{sign} {self.same_bound:.2f}× same")
        if self.plain_same_bound is not None:
            parts.append(f"{sign} {self.plain_same_bound:.2f}× {PLAIN_SAME}")
        return ", ".join(parts)

    @property
    def missed(self) -> list[str]:
        """The floors whose bound the bot's ratio misses."""
        if self.unit == "lost":
            return [] if self.bot == 0 else ["lost"]
        return [
            name
            for name, ratio, bound in self._bounds()
            if bound is not None and not self._within(ratio, bound)
        ]

    @property
    def out_of_reach(self) -> dict[str, float]:
        """The missed floors whose bound discord.py misses by itself: the same-question floor
        (the bot's question answered on the bot's set-up, no code of ours) against that floor,
        for each bound it misses too. What the bot cannot meet without doing less than the
        library does for the same question."""
        bounds = {name: bound for name, _, bound in self._bounds() if bound is not None}
        alone = {"plain": self._ratio(self.same, self.plain)}
        alone["speed"] = self._ratio(self.same, self.speed)
        return {
            name: alone[name]
            for name in self.missed
            if name in alone
            and not math.isnan(alone[name])  # NaN: no same-question floor measured
            and not self._within(alone[name], bounds[name])
        }

    @property
    def met(self) -> bool | None:
        bounded = self.unit == "lost" or any(bound is not None for *_, bound in self._bounds())
        return not self.missed if bounded else None

    def value(self, which: str) -> str:
        number = {
            "plain": self.plain,
            "speed": self.speed,
            "same": self.same,
            PLAIN_SAME: self.plain_same,
            "bot": self.bot,
        }[which]
        return shown(number, self.unit)


def shown(number: float, unit: str) -> str:
    if unit == "lost":
        return f"{number:.0f}"
    if unit == "/s":
        return f"{number:,.0f}/s"
    if unit == "µs":
        return f"{number:.0f} µs"
    return f"{number:.2f} {unit}" if unit in ("s", "ms") else f"{number:.1f} MiB"


def compare(
    plain: Summary,
    speed: Summary,
    bot: Summary,
    same: Summary | None = None,
    plain_same: Summary | None = None,
) -> list[Metric]:
    def metric(name: str, unit: str, key: str, **bounds: Any) -> Metric:
        values = [getattr(summary, key) for summary in (plain, speed, bot)]
        for label, floor in (("same", same), ("plain_same", plain_same)):
            if floor is None:
                bounds.pop(f"{label}_bound", None)
            else:
                bounds[label] = getattr(floor, key)
        return Metric(name, unit, *values, **bounds)

    return [
        metric("start → READY", "s", "startup_s"),
        metric("first answer", "ms", "first_answer_ms"),
        metric(
            "sequential p50",
            "ms",
            "p50_ms",
            plain_bound=LATENCY_RATIO,
            plain_same_bound=LATENCY_RATIO,
        ),
        metric("sequential p99", "ms", "p99_ms"),
        metric(
            "CPU per command",
            "µs",
            "cpu_sequential_us",
            plain_bound=CPU_RATIO,
            speed_bound=CPU_OVERHEAD_RATIO,
            same_bound=CPU_OVERHEAD_RATIO,
            plain_same_bound=CPU_RATIO,
        ),
        metric(
            "burst throughput",
            "/s",
            "burst_rate",
            plain_bound=THROUGHPUT_RATIO,
            plain_same_bound=THROUGHPUT_RATIO,
            higher_is_better=True,
        ),
        metric("burst p99", "ms", "burst_p99_ms"),
        metric("first burst", "/s", "first_burst_rate"),
        metric("CPU per burst item", "µs", "cpu_burst_us"),
        metric("stand-in CPU/item", "µs", "standin_cpu_burst_us"),
        metric("lost", "lost", "lost"),
        metric("RSS idle", "MiB", "rss_idle_mb"),
        metric("RSS after bursts", "MiB", "rss_burst_mb"),
        metric("peak RSS (VmHWM)", "MiB", "hwm_mb"),
    ]


COLUMNS = ("plain", "speed", "same", PLAIN_SAME, "bot")


def table(metrics: list[Metric]) -> str:
    head = f"{'metric':<19}" + "".join(f"{name:>11}" for name in COLUMNS)
    ratios = ("bot/plain", "bot/speed", "bot/same", "bot/p-same")
    lines = [head + "".join(f"{name:>11}" for name in ratios) + "  target"]
    for m in metrics:
        verdict = ""
        if m.met is not None:
            verdict = "  met" if m.met else f"  MISSED ({', '.join(m.missed)})"
            if m.out_of_reach:
                alone = ", ".join(f"{ratio:.2f}× {name}" for name, ratio in m.out_of_reach.items())
                verdict += f", out of reach: same is {alone}"
        shown_ratios = (
            ""
            if m.unit == "lost"
            else "".join(
                f"{ratio:>10.2f}×"
                for ratio in (m.ratio, m.speed_ratio, m.same_ratio, m.plain_same_ratio)
            )
        )
        values = "".join(f"{m.value(which):>11}" for which in COLUMNS)
        lines.append(f"{m.name:<19}{values}{shown_ratios:<44}  {m.target}{verdict}".rstrip())
    return "\n".join(lines)


def round_ratios(runs: dict[str, list[Run]], floors: tuple[str, ...]) -> str:
    """The bot's ratio to each floor, round by round (the subjects took turns within a round,
    so each round's ratio is a comparison on the same moments of the machine)."""
    lines = [f"{'bot / floor, per round':<27}" + "".join(f"{name:>12}" for name in floors)]
    figures: tuple[tuple[str, Callable[[Run], float]], ...] = (
        ("sequential p50", lambda run: statistics.median(run.latencies_ms or [float("inf")])),
        ("CPU per command", lambda run: run.cpu_sequential_us),
        ("burst throughput", lambda run: statistics.median(run.burst_rates or [0.0])),
    )
    for label, figure in figures:
        for number, bot in enumerate(runs[BOT.name]):
            cells = ""
            for name in floors:
                floor = figure(runs[name][number])
                cells += f"{figure(bot) / floor:>11.2f}×" if floor else f"{'—':>12}"
            lines.append(f"{label + f', round {number + 1}':<27}{cells}")
    return "\n".join(lines)


def describe(run: Run) -> str:
    p50 = statistics.median(run.latencies_ms) if run.latencies_ms else float("inf")
    return (
        f"{run.subject:<5} READY {run.startup_s:.2f} s, p50 {p50:.2f} ms, "
        f"CPU {run.cpu_sequential_us:.0f}/{run.cpu_burst_us:.0f} µs "
        f"(stand-in {run.standin_cpu_burst_us:.0f}), "
        f"bursts ({run.first_burst_rate:,.0f}) "
        f"{', '.join(f'{rate:,.0f}' for rate in run.burst_rates)}/s, "
        f"RSS {run.rss_idle_mb:.1f} → {run.rss_burst_mb:.1f} MiB, "
        f"lost {run.lost}, exit {run.exit_code}"
    )


def extra_table(plain: Summary, speed: Summary, others: dict[str, Summary]) -> str:
    """Every other subject's ratio to the plain floor and to the speed floor, side by side."""
    compared = {name: compare(plain, speed, summary) for name, summary in others.items()}
    names = list(compared)
    lines = [f"{'/plain, /speed':<19}" + "".join(f"{name[:16]:>19}" for name in names) + "  target"]
    for row, metric in enumerate(compared[names[0]]):
        cells = ""
        for name in names:
            m = compared[name][row]
            mark = "" if m.met is None else ("ok" if m.met else "✗")
            if m.unit == "lost":
                cells += f"{m.value('bot'):>16} {mark:>2}"
            else:
                cells += f"{m.ratio:>7.2f}× {m.speed_ratio:>6.2f}× {mark:>2}"
        lines.append(f"{metric.name:<19}{cells}  {metric.target}".rstrip())
    return "\n".join(lines)


async def bench(plan: Plan) -> list[Metric]:
    subjects = [PLAIN, SPEED, same_question(), plain_same_question(), BOT, *plan.extra]
    runs: dict[str, list[Run]] = {subject.name: [] for subject in subjects}
    with tempfile.TemporaryDirectory(prefix="gridbot-e2e-bench-") as tmp:
        for number in range(plan.rounds):
            # The last round is profiled, when asked (``--profile``).
            profile = number == plan.rounds - 1 and plan.profile is not None
            order = turns(subjects, number)
            for run in await one_round(order, number, Path(tmp), plan, profile=profile):
                runs[run.subject].append(run)
                print(f"  round {number + 1}: {describe(run)}", flush=True)
    plain, speed = summarise(runs[PLAIN.name]), summarise(runs[SPEED.name])
    same, plain_same = summarise(runs["same"]), summarise(runs[PLAIN_SAME])
    print(round_ratios(runs, (PLAIN.name, SPEED.name, "same", PLAIN_SAME)))
    print()
    if plan.extra:
        others = {subject.name: summarise(runs[subject.name]) for subject in subjects[2:]}
        print(extra_table(plain, speed, others))
        print()
    return compare(plain, speed, summarise(runs[BOT.name]), same, plain_same)


def pairs(items: list[str]) -> list[tuple[str, str]]:
    return [(name, value) for name, _, value in (item.partition("=") for item in items)]


KINDS = ("floor", "same", "bot")
"""What ``--also`` runs again: the speed floor, the same-question floor, the bot."""


def also(label: str, spec: str) -> Subject:
    """``KIND,NAME=VALUE,...`` (a kind of :data:`KINDS`) as a subject named ``label``; a
    value may hold commas (``GRIDBOT_E2E_BLOCK=aiodns,uvloop``): a part without ``=``
    continues the value before it."""
    kind, *parts = spec.split(",")
    settings: list[str] = []
    for part in parts:
        if "=" in part or not settings:
            settings.append(part)
        else:
            settings[-1] += "," + part
    base = {"floor": SPEED, "bot": BOT, "same": same_question()}[kind]
    env = base.env + tuple(pairs(settings))
    return Subject(label, base.module, base.command, base.options, env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.e2e_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--rounds", type=int, default=Plan.rounds, help="turns of every subject")
    parser.add_argument("--sequential", type=int, default=Plan.sequential)
    parser.add_argument("--burst", type=int, default=Plan.burst, help="interactions at once")
    parser.add_argument("--bursts", type=int, default=Plan.bursts, help="measured bursts a run")
    parser.add_argument("--profile", type=Path, help="write py-spy profiles and import times here")
    parser.add_argument("--json", type=Path, help="also write the metrics here, as JSON")
    parser.add_argument(
        "--empty-database",
        action="store_true",
        help="start the bot on an empty database (a first start: it migrates) rather than on "
        "one already at the newest revision",
    )
    parser.add_argument(
        "--bot-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the bot only, e.g. GRIDBOT_LOG_LEVEL=WARNING (repeatable)",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="LABEL=DIR",
        help="also run the bot from DIR, a copy of the repository with a change to try "
        "(repeatable); a column per variant is printed before the main table",
    )
    parser.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="LABEL=KIND[,NAME=VALUE...]",
        help="also run the speed floor (KIND floor), the same-question floor (KIND same) or "
        "the bot (KIND bot) with extra environment, e.g. "
        "floor-nodns=floor,GRIDBOT_E2E_BLOCK=aiodns (repeatable)",
    )
    args = parser.parse_args(argv)
    if bad := [item for item in args.bot_env + args.variant + args.also if "=" not in item]:
        parser.error(f"--bot-env, --variant and --also take NAME=VALUE, not {bad[0]!r}")
    if bad := [i for i in args.also if i.partition("=")[2].split(",")[0] not in KINDS]:
        parser.error(f"--also takes LABEL=floor|same|bot,..., not {bad[0]!r}")
    labels = [item.partition("=")[0] for item in args.variant + args.also]
    twice = [label for label in labels if labels.count(label) > 1]
    taken = {PLAIN.name, SPEED.name, "same", PLAIN_SAME, BOT.name, *twice}
    if clash := taken & set(labels):
        parser.error(f"--variant and --also labels must be new names, not {sorted(clash)[0]!r}")
    variants = tuple(
        Subject(label, BOT.module, BOT.command, BOT.options, Path(folder).resolve())
        for label, folder in pairs(args.variant)
    )
    others = tuple(also(label, spec) for label, spec in pairs(args.also))
    plan = Plan(
        args.rounds,
        args.sequential,
        args.burst,
        args.bursts,
        args.profile,
        tuple(pairs(args.bot_env)),
        variants + others,
        args.empty_database,
    )
    print(
        "end to end over the loopback stand-in, the plain, speed, same-question and plain "
        "same-question floors and the bot "
        f"taking turns: {plan.rounds} rounds, {plan.sequential} sequential, "
        f"{plan.bursts} bursts of {plan.burst} each",
        flush=True,
    )
    started = time.monotonic()
    if PINNED:
        os.sched_setaffinity(0, PINNED[0])
    metrics = asyncio.run(bench(plan))
    print(table(metrics))
    print(f"({time.monotonic() - started:.0f} s)")
    if plan.profile:
        names = ",".join(COLUMNS)
        print(f"profiles: {plan.profile}/{{{names}}}.txt, .folded, .importtime")
    if args.json:
        rows = [
            {
                **asdict(m),
                "ratio": m.ratio,
                "speed_ratio": m.speed_ratio,
                "same_ratio": m.same_ratio,
                "plain_same_ratio": m.plain_same_ratio,
                "missed": m.missed,
                "out_of_reach": m.out_of_reach,
                "target": m.target,
                "met": m.met,
            }
            for m in metrics
        ]
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0 if all(m.met is not False for m in metrics) else 1


if __name__ == "__main__":
    raise SystemExit(main())
