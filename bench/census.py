"""What one command costs, counted rather than timed: bytecodes per function, or instructions.

Run: .venv/bin/python -m bench.census [--commands 100] [--callgrind] SUBJECT [SUBJECT...]

SUBJECT is ``plain``, ``speed``, ``same`` or ``bot`` (``bench/e2e_bench.py``'s four). Each is
started against a fresh stand-in as the benchmark starts it, warmed up (20 commands, 3 s after
READY), then asked ``--commands`` more one at a time, and only those are counted:

- by default, every bytecode the subject's main thread executes, per function
  (``sys.settrace`` with opcode events, switched on and off by signals): the deterministic
  answer to "which Python code runs per command", where time on a shared machine moves by
  tens of percent from run to run. Written to ``bench/out/census-SUBJECT.tsv``; with two or
  more subjects, the bytecodes per command of each are compared to the first's, by package
  and by function.
- ``--gc``: the garbage collections instead, per generation, with their time; with
  ``--burst 500``, during one burst of 500 interactions at once.
- ``--callgrind``: every machine instruction instead (valgrind's callgrind, instrumentation
  switched on for the counted commands only; C code included: orjson, zstd, the interpreter),
  written to ``bench/out/callgrind-SUBJECT.out``, for ``callgrind_annotate``. About 30 s a
  subject. With ``--cache-sim`` also the simulated cache misses (first level, instructions and
  data, and last level) and valgrind's rough estimate of cycles from them, Ir + 10 × L1 misses
  + 100 × LL misses: whether the same instructions cost one subject more than another.

Neither says how long an instruction takes (cache misses, the machine's other load): that is
what ``e2e_bench``'s CPU time measures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.e2e_bench import (
    BOT,
    GUILD_SYNC,
    PLAIN,
    SPEED,
    Subject,
    burst_of,
    migrated,
    plain_same_question,
    same_question,
)
from tests.e2e.process import REPO, bot_env
from tests.e2e.standin import StandIn

OUT = REPO / "bench" / "out"
SUBJECTS = {subject.name: subject for subject in (PLAIN, SPEED, BOT)}
WARMUP = 20
SETTLE = 3.0
"""Seconds after READY before the first command (``e2e_bench.IDLE_SETTLE``)."""
TIMEOUT = 60.0
"""Per command: under valgrind, one takes some 40 ms."""

TRACER = """
import os, signal, sys
from collections import Counter

counts, calls = Counter(), Counter()


def tracer(frame, event, arg):
    frame.f_trace_opcodes = True
    code = frame.f_code
    key = (code.co_filename, code.co_firstlineno, code.co_name)
    if event == "opcode":
        counts[key] += 1
    elif event == "call":
        calls[key] += 1
    return tracer


def start(*_):
    counts.clear()
    calls.clear()
    sys.settrace(tracer)
    frame = sys._getframe(1)
    while frame is not None:  # the frames running now, resumed later, are counted too
        frame.f_trace, frame.f_trace_opcodes = tracer, True
        frame = frame.f_back


def stop(*_):
    sys.settrace(None)
    frame = sys._getframe(1)
    while frame is not None:
        frame.f_trace = None
        frame = frame.f_back
    with open(os.environ["CENSUS_OUT"], "w", encoding="utf-8") as out:
        for (path, line, name), number in counts.most_common():
            out.write(f"{number}\\t{calls[(path, line, name)]}\\t{path}:{line}:{name}\\n")


signal.signal(signal.SIGUSR1, start)
signal.signal(signal.SIGUSR2, stop)
"""
"""Run before the launcher in the subject's process (``--callgrind`` needs none of it)."""

COLLECTIONS = """
import gc, os, signal, time

stats = {generation: [0, 0.0] for generation in range(3)}
state = {"on": False, "began": 0.0}


def watch(phase, info):
    if not state["on"]:
        return
    if phase == "start":
        state["began"] = time.perf_counter()
    else:
        found = stats[info["generation"]]
        found[0] += 1
        found[1] += time.perf_counter() - state["began"]


def start(*_):
    for found in stats.values():
        found[:] = [0, 0.0]
    state["on"] = True


def stop(*_):
    state["on"] = False
    with open(os.environ["CENSUS_OUT"], "w", encoding="utf-8") as out:
        for generation, (number, seconds) in stats.items():
            out.write(f"{generation}\\t{number}\\t{seconds}\\n")
        out.write(f"threshold\\t{gc.get_threshold()[0]}\\t0\\n")


gc.callbacks.append(watch)
signal.signal(signal.SIGUSR1, start)
signal.signal(signal.SIGUSR2, stop)
"""
"""``--gc``: the garbage collections, per generation, and the time they took."""

LAUNCH = "from tests.e2e import launch\nlaunch.main()\n"


async def count(
    subject: Subject, commands: int, mode: str, burst: int = 0, *, cache_sim: bool = False
) -> Path:
    """Start ``subject``, warm it up, count ``commands`` commands one at a time (or, with
    ``burst``, one burst of that many after an uncounted one); the file written."""
    callgrind = mode == "callgrind"
    out = (
        OUT
        / {
            "callgrind": f"callgrind-{subject.name}.out",
            "gc": f"collections-{subject.name}.tsv",
            "bytecodes": f"census-{subject.name}.tsv",
        }[mode]
    )
    with tempfile.TemporaryDirectory(prefix="gridbot-census-") as tmp:
        workdir = Path(tmp)
        async with StandIn(deadline=600) as standin:
            guild = str(standin.world.guild_id)
            env = bot_env(
                standin.base_url,
                standin.world.token,
                workdir,
                GRIDBOT_DEV_GUILD_ID=guild,
                CENSUS_OUT=str(out),
                **dict(subject.env),
            )
            if subject.is_bot:
                await migrated(env, workdir)
            code = {"callgrind": "", "gc": COLLECTIONS, "bytecodes": TRACER}[mode] + LAUNCH
            python = [sys.executable, "-c", code]
            if callgrind:
                valgrind = ["valgrind", "--tool=callgrind", "--instr-atstart=no"]
                if cache_sim:
                    valgrind.append("--cache-sim=yes")
                python = [*valgrind, f"--callgrind-out-file={out}", *python]
            process = await asyncio.create_subprocess_exec(
                *python,
                subject.module,
                env=env,
                cwd=workdir,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                await standin.wait_for_key(GUILD_SYNC, timeout=300)
                await standin.wait_for_key("WS IDENTIFY", timeout=300)
                await asyncio.sleep(SETTLE * (5 if callgrind else 1))

                async def ask() -> None:
                    options = subject.options
                    await standin.ask(subject.command, timeout=TIMEOUT, **options)

                for _ in range(WARMUP):
                    await ask()
                if burst:
                    await burst_of(standin, subject, burst)  # opens the connections
                await switch(process.pid, on=True, callgrind=callgrind)
                if burst:
                    await burst_of(standin, subject, burst)
                for _ in range(0 if burst else commands):
                    await ask()
                await switch(process.pid, on=False, callgrind=callgrind)
            finally:
                process.terminate()
                await process.wait()
    return out


async def switch(pid: int, *, on: bool, callgrind: bool) -> None:
    """Start or stop counting in ``pid``."""
    if callgrind:
        commands = [["callgrind_control", "-i", "on" if on else "off", str(pid)]]
        if not on:
            commands.append(["callgrind_control", "-d", str(pid)])
        for command in commands:
            await asyncio.to_thread(subprocess.run, command, check=True, capture_output=True)
    else:
        os.kill(pid, signal.SIGUSR1 if on else signal.SIGUSR2)
    await asyncio.sleep(1.0 if not on else 0.2)  # the file written, or the tracer set


def read(path: Path, commands: int) -> dict[str, float]:
    """Bytecodes per command, by ``module/path.py:line:function``."""
    found: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        number, _calls, where = line.split("\t")
        key = re.sub(r".*/site-packages/", "", where).replace(str(REPO) + "/", "")
        key = re.sub(r".*/lib/python3\.\d+/", "", key)
        found[key] = found.get(key, 0.0) + int(number) / commands
    return found


def totals(path: Path) -> dict[str, int]:
    """Callgrind's totals by event (``Ir``, and with the cache simulated ``D1mr`` and the
    others), from the ``events:`` and ``summary:`` (or ``totals:``) lines of its file."""
    events: list[str] = []
    numbers: list[int] = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("events:"):
            events = line.split()[1:]
        elif line.startswith(("summary:", "totals:")):
            numbers = [int(n) for n in line.split()[1:]]
    return dict(zip(events, numbers, strict=False))


def cache_line(path: Path, commands: int) -> str:
    """Per command: L1 and last-level misses from callgrind's totals, and the estimated
    cycles (valgrind's manual: Ir + 10 × L1 misses + 100 × LL misses)."""
    found = totals(path)
    l1 = sum(found.get(k, 0) for k in ("I1mr", "D1mr", "D1mw"))
    last = sum(found.get(k, 0) for k in ("ILmr", "DLmr", "DLmw"))
    cycles = found.get("Ir", 0) + 10 * l1 + 100 * last
    return (
        f"L1 misses {l1 / commands:,.0f}, LL misses {last / commands:,.0f}, "
        f"estimated cycles {cycles / commands:,.0f} per command"
    )


def package(where: str) -> str:
    """``discord/app_commands`` for discord.py's subpackages, else the top-level name."""
    parts = where.split(":")[0].split("/")
    if parts[0] == "discord" and len(parts) > 2:
        return "/".join(parts[:2])
    return parts[0].removesuffix(".py")


def compare(base: str, counts: dict[str, dict[str, float]], top: int) -> str:
    first = counts[base]
    lines = []
    for name, other in counts.items():
        if name == base:
            continue
        total, against = sum(other.values()), sum(first.values())
        lines.append(
            f"{name}: {total:,.0f} bytecodes per command, {base}: {against:,.0f} "
            f"({total / against:.3f}×)"
        )
        by_package: dict[str, float] = {}
        for where, number in other.items():
            by_package[package(where)] = by_package.get(package(where), 0.0) + number
        for where, number in first.items():
            by_package[package(where)] = by_package.get(package(where), 0.0) - number
        lines.append("  by package (more, fewer):")
        for group, change in sorted(by_package.items(), key=lambda item: -abs(item[1])):
            if abs(change) >= 10:
                lines.append(f"    {change:+8.0f}  {group}")
        lines.append(f"  the {top} functions that differ most:")
        deltas = {w: other.get(w, 0.0) - first.get(w, 0.0) for w in set(first) | set(other)}
        for where, delta in sorted(deltas.items(), key=lambda item: -abs(item[1]))[:top]:
            lines.append(f"    {delta:+8.0f}  {where}")
    return "\n".join(lines)


def collections(path: Path, commands: int) -> str:
    """``young 62 (19.2 ms), middle 6 (30.4 ms), full 1 (88.5 ms) per 500 commands``."""
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    found = {name: (int(number), float(seconds)) for name, number, seconds in rows}
    parts = [
        f"{label} {found[key][0]} ({found[key][1] * 1000:.1f} ms)"
        for key, label in (("0", "young"), ("1", "middle"), ("2", "full"))
    ]
    total = sum(found[key][1] for key in "012") * 1000
    return (
        f"{', '.join(parts)}: {total:.1f} ms per {commands} commands "
        f"(young threshold {found['threshold'][0]:,})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.census", description=__doc__)
    parser.add_argument("subjects", nargs="+", choices=[*sorted(SUBJECTS), "same", "plain-same"])
    parser.add_argument("--commands", type=int, default=100)
    parser.add_argument("--callgrind", action="store_true", help="count instructions instead")
    parser.add_argument(
        "--cache-sim", action="store_true", help="with --callgrind: cache misses and cycles too"
    )
    parser.add_argument(
        "--gc", action="store_true", help="count garbage collections and their time instead"
    )
    parser.add_argument(
        "--burst", type=int, default=0, help="count one burst of this many instead (with --gc)"
    )
    parser.add_argument("--top", type=int, default=40, help="functions listed per comparison")
    args = parser.parse_args(argv)
    if args.callgrind and not shutil.which("valgrind"):
        parser.error("--callgrind needs valgrind (apt-get install valgrind)")
    OUT.mkdir(parents=True, exist_ok=True)
    counts: dict[str, dict[str, float]] = {}
    mode = "callgrind" if args.callgrind else "gc" if args.gc else "bytecodes"
    for name in args.subjects:
        questions = {"same": same_question, "plain-same": plain_same_question}
        subject = questions[name]() if name in questions else SUBJECTS[name]
        out = asyncio.run(count(subject, args.commands, mode, args.burst, cache_sim=args.cache_sim))
        if mode == "gc":
            print(f"{name}: {collections(out, args.burst or args.commands)}")
        elif args.callgrind:  # callgrind_control -d wrote OUT.1; the exit wrote OUT, empty
            Path(f"{out}.1").replace(out)
            instructions = totals(out).get("Ir", 0)
            print(f"{name}: {instructions / args.commands:,.0f} instructions per command ({out})")
            if args.cache_sim:
                print(f"  {cache_line(out, args.commands)}")
        else:
            counts[name] = read(out, args.commands)
            print(f"{name}: {sum(counts[name].values()):,.0f} bytecodes per command ({out})")
    if len(counts) > 1:
        print(compare(args.subjects[0], counts, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
