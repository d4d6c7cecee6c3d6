"""What each library costs in resident memory: the bot's start, one library at a time.

Run: .venv/bin/python -m bench.imports_bench [--repeat 5]

Each line is a fresh interpreter importing what the lines above it import and one thing more;
its cost is the VmRSS it adds (median of ``--repeat``), so a library's share of what it has in
common with the ones above it (the standard library, aiohttp) is counted where it is first
imported. The first part is what the bot imports to start and answer commands, in the order
it does; the second what it imports only when a setting or a first use asks (each on top of
the first part alone). The plain discord.py line is measured with the packages of
``discord.py[speed]`` and uvloop unimportable (``tests/e2e/launch.py``), as the plain floor
runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PLAIN = (
    "import sys\n"
    "from tests.e2e.launch import SPEED_PACKAGES, NotInstalled\n"
    "sys.meta_path.insert(0, NotInstalled(SPEED_PACKAGES))\n"
)
"""Run first: the speed packages and uvloop cannot be imported."""
WITHOUT_UVLOOP = (
    "import sys\n"
    "from tests.e2e.launch import NotInstalled\n"
    "sys.meta_path.insert(0, NotInstalled(frozenset({'uvloop'})))\n"
)
DISCORD = "import discord\nfrom discord import app_commands\nfrom discord.ext import commands\n"
COGS = (
    "import importlib\n"
    "import bot.cli, bot.app\n"
    "for name in bot.app.extensions():\n"
    "    importlib.import_module(name)\n"
)
RSS = (
    "\nfrom pathlib import Path\n"
    "status = Path('/proc/self/status').read_text(encoding='ascii')\n"
    "print(next(int(line.split()[1]) for line in status.splitlines()"
    " if line.startswith('VmRSS:')))\n"
)


@dataclass(frozen=True)
class Step:
    label: str
    code: str
    alone: bool = False
    """Measured by itself, not on top of the steps before it."""


START = (
    Step("Python itself", "", alone=True),
    Step("discord.py, plain (aiohttp, yarl, multidict...)", PLAIN + DISCORD, alone=True),
    Step("discord.py[speed]: orjson, zstandard, Brotli, aiodns", WITHOUT_UVLOOP + DISCORD, True),
    Step("uvloop", DISCORD + "import uvloop\n", alone=True),
    Step("SQLAlchemy with its asyncio engine (and its ORM)", "import sqlalchemy.ext.asyncio\n"),
    Step("aiosqlite (and sqlite3)", "import aiosqlite\n"),
    Step("cachetools, tomllib, the bot's own modules and cogs", COGS),
)
"""What the bot imports to start, in its order: each line on top of the one before it."""

ON_DEMAND = (
    Step(
        "Alembic (only to migrate a database not at the newest revision)",
        "import alembic.command, alembic.config, alembic.runtime.migration, alembic.script\n",
    ),
    Step("filelock (SQLite's migration lock: only to migrate)", "import filelock\n"),
    Step("asyncpg (PostgreSQL)", "import asyncpg\n"),
    Step(
        "prometheus_client and aiohttp's server (GRIDBOT_METRICS_ADDR)",
        "import prometheus_client, aiohttp.web\n",
    ),
    Step("watchfiles (GRIDBOT_WATCH_DIRS)", "import watchfiles\n"),
    Step("rapidfuzz (the first name with a typo)", "import rapidfuzz.process\n"),
    Step("the XML reader's parser (the first rFactor 2 file)", "import xml.etree.ElementTree\n"),
    Step("matplotlib (the first /chart, in its drawing processes)", "import matplotlib.pyplot\n"),
)
"""Each on top of the whole of ``START``."""


def rss_kib(code: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", code + RSS],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{code!r} failed: {done.stderr}")
    return int(done.stdout.split()[-1])


def median_mib(code: str, repeat: int) -> float:
    return statistics.median(rss_kib(code) for _ in range(repeat)) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.imports_bench", description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="interpreters per line")
    args = parser.parse_args(argv)
    print("resident memory (VmRSS) of a fresh interpreter, MiB, median of", args.repeat)
    print(f"{'':<62}{'adds':>7}{'total':>8}")
    before = 0.0
    cumulative = ""
    for step in START:
        cumulative = step.code if step.alone else cumulative + step.code
        total = median_mib(cumulative, args.repeat)
        print(f"{step.label:<62}{total - before:>7.1f}{total:>8.1f}")
        before = total
    started = before
    print(f"\nimported only when asked for, each on top of the {started:.1f} MiB above")
    for step in ON_DEMAND:
        total = median_mib(cumulative + step.code, args.repeat)
        print(f"{step.label:<62}{total - started:>7.1f}{total:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
