"""End to end: the real bot beside the plain discord.py floor, over the loopback stand-in.

Run: .venv/bin/python -m bench.e2e_bench [--rounds 5] [--sequential 200] [--burst 500]

Each subject is started as the e2e tests start it (``tests/e2e/process.py``: ``python -m
tests.e2e.launch <module>``, clean environment, seed data) against a fresh stand-in, alternating
floor, bot, floor, bot, ... so both see the same machine. The floor is
``tests/e2e/floor_bot.py``: plain discord.py answering one command with a constant. Per run:

- start-up: process start to READY (guild commands synced, IDENTIFY answered with READY);
- resident memory (VmRSS from ``/proc/<pid>/status``) at idle, a second after READY;
- sequential latency: after a warm-up, ``--sequential`` commands one at a time (``/grid
  position:5`` for the bot, ``/floor`` for the floor), each from INTERACTION_CREATE leaving
  the stand-in to the callback arriving at it;
- burst: ``--burst`` interactions dispatched at once, interactions per second from the first
  dispatch to the last callback; one unmeasured burst (it opens the HTTP connections), then
  ``--bursts`` measured ones; then VmRSS again and VmHWM (the peak).

Also the CPU time the subject spent per command (``/proc/<pid>/task/*/schedstat``), which
other load on the machine disturbs far less than wall-clock times. Latencies are pooled over
the rounds, everything else is the median. The results are the bot/floor ratios, so the
targets hold on any machine. This process (the stand-in) and the subject are pinned to two
different CPUs when there are two.

Finding causes:
``--profile DIR``   py-spy on each subject during the last round's commands (folded stacks and
                    a flat profile, ``pip install py-spy``) and its start-up ``-X importtime``;
``--variant L=DIR`` the bot again from DIR, a scratch copy of the repository with a change to
                    try, in the same alternation: a column of bot/floor ratios per variant;
``--bot-env N=V``   extra environment for the bot only, e.g. ``GRIDBOT_LOG_LEVEL=WARNING``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
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
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.e2e.process import BotProcess, bot_env
from tests.e2e.standin import CallbackResult, StandIn

GUILD_SYNC = "PUT /applications/{application_id}/guilds/{guild_id}/commands"
STARTUP_TIMEOUT = 30.0
ANSWER_TIMEOUT = 5.0
BURST_TIMEOUT = 60.0
ACK_DEADLINE = 120.0
"""The stand-in's acknowledgement deadline here: Discord's 3 s would turn a slow burst into
refusals, and the point is to time every answer."""
IDLE_SETTLE = 1.0
BURST_PAUSE = 0.2
WARMUP = 20

_CPUS = sorted(os.sched_getaffinity(0))
PINNED = ({_CPUS[0]}, {_CPUS[1]}) if len(_CPUS) >= 2 else None
"""CPUs for the stand-in (this process) and for the subject: apart, as Discord and a bot would
be, and the same in every run, so where the scheduler happens to put them is not a variable."""

LATENCY_RATIO = 1.10
THROUGHPUT_RATIO = 0.90
RSS_RATIO = 1.15


@dataclass(frozen=True)
class Subject:
    """A bot module and the command it is asked."""

    name: str
    module: str
    command: str
    options: dict[str, Any]
    source: Path | None = None
    """Another copy of the repository to run it from (``--variant``); this one if ``None``."""

    @property
    def is_bot(self) -> bool:
        return self.module == "bot"


FLOOR = Subject("floor", "tests.e2e.floor_bot", "floor", {})
BOT = Subject("bot", "bot", "grid", {"position": 5})


@dataclass(frozen=True)
class Plan:
    rounds: int = 5
    sequential: int = 200
    burst: int = 500
    bursts: int = 3
    profile: Path | None = None
    bot_env: tuple[tuple[str, str], ...] = ()
    """Extra environment for the bot only (``--bot-env GRIDBOT_LOG_LEVEL=WARNING``)."""
    variants: tuple[Subject, ...] = ()
    """The bot again from other copies of the repository, e.g. with a proposed fix."""


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
    burst_rates: list[float] = field(default_factory=list)
    burst_p99_ms: list[float] = field(default_factory=list)
    rss_burst_mb: float = 0.0
    hwm_mb: float = 0.0
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


def check(subject: Subject, answer: CallbackResult) -> None:
    """A fast wrong answer is no benchmark: every answer must be a plain, visible message."""
    if answer.type != 4 or answer.ephemeral or not answer.text:
        raise RuntimeError(f"{subject.name} answered /{subject.command} badly: {answer.body}")


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
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def stand_in_gc_paused() -> Iterator[None]:
    """No garbage collection in this process (the stand-in) while it is timing the subject.

    The stand-in keeps every request it recorded, so a full collection here can take tens of
    milliseconds: Discord's pauses are not the bot's. The subject collects as it always does.
    """
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


async def burst_of(standin: StandIn, subject: Subject, size: int) -> Burst:
    """Dispatch ``size`` interactions back to back; time until the last one is answered."""
    options = standin.typed_options(subject.command, subject.options)
    payloads = [standin.build_interaction(subject.command, options) for _ in range(size)]
    with stand_in_gc_paused():
        ids = [await standin.dispatch_interaction(payload) for payload in payloads]
        answers = await standin.wait_for_responses(ids, timeout=BURST_TIMEOUT)
    for answer in answers:
        check(subject, answer)
    began = standin.interactions.by_id[ids[0]].dispatched_at
    seconds = max(answer.record.at for answer in answers) - began
    return Burst(seconds, percentile([answer.latency * 1000 for answer in answers], 0.99))


async def load(standin: StandIn, subject: Subject, plan: Plan, pid: int, run: Run) -> None:
    """The sequential commands, then the bursts, with the CPU time the subject spent on them."""
    cpu = cpu_seconds(pid)
    with stand_in_gc_paused():
        for _ in range(plan.sequential):
            answer = await standin.ask(subject.command, timeout=ANSWER_TIMEOUT, **subject.options)
            check(subject, answer)
            run.latencies_ms.append(answer.latency * 1000)
    run.cpu_sequential_us = (cpu_seconds(pid) - cpu) / plan.sequential * 1e6
    await burst_of(standin, subject, plan.burst)  # opens the HTTP connections: not counted
    await asyncio.sleep(BURST_PAUSE)
    cpu = cpu_seconds(pid)
    for _ in range(plan.bursts):
        burst = await burst_of(standin, subject, plan.burst)
        run.burst_rates.append(plan.burst / burst.seconds)
        run.burst_p99_ms.append(burst.p99_ms)
        await asyncio.sleep(BURST_PAUSE)
    run.cpu_burst_us = (cpu_seconds(pid) - cpu) / (plan.bursts * plan.burst) * 1e6


async def measure(subject: Subject, workdir: Path, plan: Plan, *, profile: bool) -> Run:
    """Start ``subject`` against a fresh stand-in and take every measurement of one run."""
    run = Run(subject.name)
    extra = {"PYTHONPROFILEIMPORTTIME": "1"} if profile else {}
    if subject.is_bot:
        extra.update(plan.bot_env)
    if subject.source is not None:
        extra["PYTHONPATH"] = str(subject.source)
    async with StandIn(deadline=ACK_DEADLINE) as standin:
        guild = str(standin.world.guild_id)
        env = bot_env(
            standin.base_url, standin.world.token, workdir, GRIDBOT_DEV_GUILD_ID=guild, **extra
        )
        process = BotProcess(env, workdir, subject.module)
        started = time.monotonic()
        async with process:
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

            ask = subject.command
            first = await standin.ask(ask, timeout=ANSWER_TIMEOUT, **subject.options)
            check(subject, first)
            run.first_answer_ms = first.latency * 1000
            for _ in range(WARMUP):
                check(subject, await standin.ask(ask, timeout=ANSWER_TIMEOUT, **subject.options))

            profiler = Profiler(plan.profile, subject.name) if profile and plan.profile else None
            if profiler:
                profiler.start(pid)
            try:
                await load(standin, subject, plan, pid, run)
            finally:
                if profiler:
                    profiler.stop()
            status = memory(pid)
            run.rss_burst_mb, run.hwm_mb = status["VmRSS"], status["VmHWM"]
        run.exit_code = process.returncode
    if profile and plan.profile:
        imports = "".join(line for line in process.stderr if line.startswith("import time:"))
        plan.profile.mkdir(parents=True, exist_ok=True)
        (plan.profile / f"{subject.name}.importtime").write_text(imports, encoding="utf-8")
    return run


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
    cpu_burst_us: float
    burst_p99_ms: float
    rss_burst_mb: float
    hwm_mb: float


def summarise(runs: list[Run]) -> Summary:
    latencies = [ms for run in runs for ms in run.latencies_ms]
    return Summary(
        startup_s=statistics.median(run.startup_s for run in runs),
        first_answer_ms=statistics.median(run.first_answer_ms for run in runs),
        rss_idle_mb=statistics.median(run.rss_idle_mb for run in runs),
        p50_ms=statistics.median(latencies),
        p99_ms=percentile(latencies, 0.99),
        cpu_sequential_us=statistics.median(run.cpu_sequential_us for run in runs),
        cpu_burst_us=statistics.median(run.cpu_burst_us for run in runs),
        burst_rate=statistics.median(rate for run in runs for rate in run.burst_rates),
        burst_p99_ms=statistics.median(ms for run in runs for ms in run.burst_p99_ms),
        rss_burst_mb=statistics.median(run.rss_burst_mb for run in runs),
        hwm_mb=statistics.median(run.hwm_mb for run in runs),
    )


@dataclass(frozen=True)
class Metric:
    """One line of the comparison: both values, their ratio, and the target if there is one."""

    name: str
    unit: str
    floor: float
    bot: float
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float:
        return self.bot / self.floor if self.floor else float("inf")

    def value(self, which: str) -> str:
        number = self.floor if which == "floor" else self.bot
        if self.unit == "/s":
            return f"{number:,.0f}/s"
        if self.unit == "µs":
            return f"{number:.0f} µs"
        return f"{number:.2f} {self.unit}" if self.unit in ("s", "ms") else f"{number:.1f} MiB"


def at_most(name: str, unit: str, floor: float, bot: float, bound: float | None) -> Metric:
    """A metric where less is better, within ``bound`` × the floor when there is a target."""
    if bound is None:
        return Metric(name, unit, floor, bot)
    return Metric(name, unit, floor, bot, f"≤ {bound:.2f}× floor", bot <= bound * floor)


def compare(floor: Summary, bot: Summary) -> list[Metric]:
    return [
        at_most("start → READY", "s", floor.startup_s, bot.startup_s, None),
        at_most("first answer", "ms", floor.first_answer_ms, bot.first_answer_ms, None),
        at_most("sequential p50", "ms", floor.p50_ms, bot.p50_ms, LATENCY_RATIO),
        at_most("sequential p99", "ms", floor.p99_ms, bot.p99_ms, LATENCY_RATIO),
        at_most("CPU per command", "µs", floor.cpu_sequential_us, bot.cpu_sequential_us, None),
        Metric(
            "burst throughput",
            "/s",
            floor.burst_rate,
            bot.burst_rate,
            f"≥ {THROUGHPUT_RATIO:.2f}× floor",
            bot.burst_rate >= THROUGHPUT_RATIO * floor.burst_rate,
        ),
        at_most("burst p99", "ms", floor.burst_p99_ms, bot.burst_p99_ms, None),
        at_most("CPU per burst item", "µs", floor.cpu_burst_us, bot.cpu_burst_us, None),
        at_most("RSS idle", "MiB", floor.rss_idle_mb, bot.rss_idle_mb, RSS_RATIO),
        at_most("RSS after bursts", "MiB", floor.rss_burst_mb, bot.rss_burst_mb, None),
        at_most("peak RSS (VmHWM)", "MiB", floor.hwm_mb, bot.hwm_mb, None),
    ]


def table(metrics: list[Metric]) -> str:
    lines = [f"{'metric':<20}{'floor':>11}{'bot':>11}{'bot/floor':>11}  target"]
    for m in metrics:
        verdict = "" if m.met is None else ("  met" if m.met else "  MISSED")
        lines.append(
            f"{m.name:<20}{m.value('floor'):>11}{m.value('bot'):>11}{m.ratio:>10.2f}×"
            f"  {m.target}{verdict}".rstrip()
        )
    return "\n".join(lines)


def describe(run: Run) -> str:
    return (
        f"{run.subject:<5} READY {run.startup_s:.2f} s, "
        f"p50 {statistics.median(run.latencies_ms):.2f} ms, "
        f"CPU {run.cpu_sequential_us:.0f}/{run.cpu_burst_us:.0f} µs, "
        f"bursts {', '.join(f'{rate:,.0f}' for rate in run.burst_rates)}/s, "
        f"RSS {run.rss_idle_mb:.1f} → {run.rss_burst_mb:.1f} MiB, exit {run.exit_code}"
    )


def variants_table(floor: Summary, bots: dict[str, Summary]) -> str:
    """Each bot's ratio to the floor, side by side, with the targets."""
    compared = {name: compare(floor, summary) for name, summary in bots.items()}
    names = list(compared)
    lines = [f"{'bot/floor':<20}" + "".join(f"{name[:14]:>15}" for name in names) + "  target"]
    for row, metric in enumerate(compared[names[0]]):
        cells = ""
        for name in names:
            m = compared[name][row]
            cells += f"{m.ratio:>10.2f}× {'' if m.met is None else ('ok' if m.met else '✗ '):>3}"
        lines.append(f"{metric.name:<20}{cells}  {metric.target}".rstrip())
    return "\n".join(lines)


async def bench(plan: Plan) -> list[Metric]:
    subjects = (FLOOR, BOT, *plan.variants)
    runs: dict[str, list[Run]] = {subject.name: [] for subject in subjects}
    with tempfile.TemporaryDirectory(prefix="gridbot-e2e-bench-") as tmp:
        for number in range(plan.rounds):
            for subject in subjects:
                workdir = Path(tmp) / f"{subject.name}{number}"
                workdir.mkdir()
                last = number == plan.rounds - 1
                run = await measure(subject, workdir, plan, profile=last)
                runs[subject.name].append(run)
                print(f"  round {number + 1}: {describe(run)}", flush=True)
    floor = summarise(runs[FLOOR.name])
    if plan.variants:
        bots = {subject.name: summarise(runs[subject.name]) for subject in subjects[1:]}
        print(variants_table(floor, bots))
        print()
    return compare(floor, summarise(runs[BOT.name]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.e2e_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--rounds", type=int, default=Plan.rounds, help="floor+bot pairs")
    parser.add_argument("--sequential", type=int, default=Plan.sequential)
    parser.add_argument("--burst", type=int, default=Plan.burst, help="interactions at once")
    parser.add_argument("--bursts", type=int, default=Plan.bursts, help="measured bursts a run")
    parser.add_argument("--profile", type=Path, help="write py-spy profiles and import times here")
    parser.add_argument("--json", type=Path, help="also write the metrics here, as JSON")
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
    args = parser.parse_args(argv)
    if bad := [item for item in args.bot_env + args.variant if "=" not in item]:
        parser.error(f"--bot-env and --variant take NAME=VALUE, not {bad[0]!r}")
    labels = [item.partition("=")[0] for item in args.variant]
    if clash := {FLOOR.name, BOT.name, *[x for x in labels if labels.count(x) > 1]} & set(labels):
        parser.error(f"--variant labels must be new names, not {sorted(clash)[0]!r}")
    extra = tuple((name, value) for name, _, value in (i.partition("=") for i in args.bot_env))
    variants = tuple(
        Subject(label, BOT.module, BOT.command, BOT.options, Path(folder).resolve())
        for label, _, folder in (item.partition("=") for item in args.variant)
    )
    plan = Plan(
        args.rounds, args.sequential, args.burst, args.bursts, args.profile, extra, variants
    )
    print(
        f"end to end over the loopback stand-in, floor and bot alternating: {plan.rounds} rounds, "
        f"{plan.sequential} sequential, {plan.bursts} bursts of {plan.burst} each",
        flush=True,
    )
    started = time.monotonic()
    if PINNED:
        os.sched_setaffinity(0, PINNED[0])
    metrics = asyncio.run(bench(plan))
    print(table(metrics))
    print(f"({time.monotonic() - started:.0f} s)")
    if plan.profile:
        print(f"profiles: {plan.profile}/{{floor,bot}}.txt, .folded, .importtime")
    if args.json:
        rows = [{**asdict(m), "ratio": m.ratio} for m in metrics]
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0 if all(m.met is not False for m in metrics) else 1


if __name__ == "__main__":
    raise SystemExit(main())
