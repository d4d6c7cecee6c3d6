"""Per-server libraries at scale: 10,000 servers × 10 grids of 40 cars in SQLite.

Run: .venv/bin/python -m bench.server_bench [--servers 10000] [--grids 10] [--db PATH]

Builds the database once (``bench/out/servers-<servers>x<grids>.sqlite3``, reused while the
schema is the same), then measures through the storage facade, as a cog calls it:
- a cold server's first lookup (database read, parse, catalog, answer, embed), p50/p99;
- a warm lookup, and the same lookup on the operator's catalog alone (today's core path), in
  the same run, as a ratio;
- the process RSS after enough cold servers to fill the grid cache (64 MiB by default);
- an import (parse, limits, rate, version, audit, commit), p50/p99.
Targets (issue "Every server its own grids"): cold p99 < 20 ms; warm ≤ 1.1× core;
RSS < 150 MB; import p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import resource
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, delete, insert, select

from bot.core import queries
from bot.core.catalog import Catalog
from bot.core.lazy import Summary
from bot.core.loader import PARSER_VERSION, parse_source
from bot.core.store import GridStore
from bot.render.cards import card_for
from bot.render.embed import to_embed
from bot.storage import Libraries, Limits, open_libraries, parse_url
from bot.storage.migrate import head
from bot.storage.tables import audit, files, servers, versions

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
CARS = 40
FIRST_GUILD = 10**17
IMPORTED = "bench-import-"


def grid_text(server: int, grid: int) -> bytes:
    """A 40-car grid, different for every server and grid (so every digest differs)."""
    rng = random.Random(server * 1000 + grid)
    rows = []
    lap = 88_000 + rng.randint(0, 4000)
    for position in range(1, CARS + 1):
        lap += rng.randint(1, 900)
        minutes, rest = divmod(lap, 60_000)
        rows.append(
            f"| {position} | {position * 3 + grid} | Driver {server}-{position}a / "
            f"Driver {position}b | Chassis {position % 7} | Team {position % 13} {grid} | "
            f"{minutes}:{rest // 1000:02d}.{rest % 1000:03d} |"
        )
    return ("\n".join(rows) + "\n").encode()


def build(path: Path, server_count: int, grid_count: int) -> None:
    """Write every server's rows straight into the tables, in one transaction per 500
    servers: the same rows /import writes, without 100,000 round trips through it."""
    asyncio.run(_migrate(path))
    engine = create_engine(f"sqlite:///{path}")
    now = datetime.now(UTC)
    started = time.perf_counter()
    # Every server's grid N has the same name, so the same summary as /import stores.
    summaries = [
        Summary.of(
            parse_source(grid_text(0, grid), Path(f"{2000 + grid}-event-{grid}-qualifying.md"))
        )
        for grid in range(grid_count)
    ]
    with engine.begin() as connection:
        file_id = 0
        for chunk in range(0, server_count, 500):
            server_rows, file_rows, version_rows = [], [], []
            for server in range(chunk, min(chunk + 500, server_count)):
                guild = FIRST_GUILD + server
                server_rows.append({"guild_id": guild, "public_answers": True})
                for grid in range(grid_count):
                    file_id += 1
                    data = grid_text(server, grid)
                    key = f"{2000 + grid}-event-{grid}-qualifying"
                    file_rows.append(
                        {
                            "id": file_id,
                            "guild_id": guild,
                            "key": key,
                            "current_version": 1,
                            "removed": False,
                        }
                    )
                    version_rows.append(
                        {
                            "guild_id": guild,
                            "file_id": file_id,
                            "version": 1,
                            "filename": key + ".md",
                            "uploader_id": 1,
                            "created_at": now,
                            "size": len(data),
                            "sha256": hashlib.sha256(data).hexdigest(),
                            "title": summaries[grid].title,
                            "grids": 1,
                            "data": data,
                            "year": summaries[grid].year,
                            "date": summaries[grid].date,
                            "cars": summaries[grid].cars,
                            "parser": PARSER_VERSION,
                        }
                    )
            connection.execute(insert(servers), server_rows)
            connection.execute(insert(files), file_rows)
            connection.execute(insert(versions), version_rows)
    engine.dispose()
    print(
        f"built {server_count} servers × {grid_count} grids in "
        f"{time.perf_counter() - started:.1f} s ({path.stat().st_size / 2**20:.0f} MiB)"
    )


async def _migrate(path: Path) -> None:
    libraries = await open_libraries(
        parse_url(f"sqlite:///{path}"), GridStore(REPO / "data"), Limits()
    )
    await libraries.close()


def usable(path: Path, server_count: int) -> bool:
    if not path.is_file():
        return False
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            count = connection.execute(select(servers.c.guild_id).limit(server_count + 1))
            fresh = connection.execute(select(versions.c.parser).limit(1)).scalar()
            return (
                revision.scalar() == head()
                and len(count.all()) == server_count
                and fresh == PARSER_VERSION
            )
    except Exception:
        return False
    finally:
        engine.dispose()


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.99) - 1)]


def answer(catalog: Catalog) -> object:
    """What a cog does for ``/grid 20`` with no event: the default grid, the answer, the embed."""
    return to_embed(card_for(queries.grid_slot(catalog.find(None), 20))).to_dict()


async def timed(work: Callable[[], Awaitable[object]], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter_ns()
        await work()
        samples.append((time.perf_counter_ns() - t0) / 1e6)
    return samples


def rss_mb() -> float:
    with Path("/proc/self/status").open() as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure(path: Path, server_count: int, cold_rounds: int, imports: int) -> None:
    libraries: Libraries = await open_libraries(
        parse_url(f"sqlite:///{path}"), GridStore(REPO / "data"), Limits()
    )
    rng = random.Random(7)
    order = rng.sample(range(server_count), server_count)

    # Cold: each server's first lookup.
    cold = []
    for server in order[:cold_rounds]:
        guild = FIRST_GUILD + server
        t0 = time.perf_counter_ns()
        view = await libraries.view(guild)
        answer(view.catalog)
        cold.append((time.perf_counter_ns() - t0) / 1e6)
    p50, p99 = percentiles(cold)
    print(
        f"cold first lookup ({cold_rounds} servers): p50 {p50:.2f} ms  p99 {p99:.2f} ms  "
        "(target: p99 < 20 ms)"
    )

    # Warm: a server already read, beside the operator's catalog alone, interleaved.
    guild = FIRST_GUILD + order[0]
    view = await libraries.view(guild)
    operator = libraries.operator.catalog
    warm_samples, core_samples = [], []
    for _ in range(20):

        async def warm() -> object:
            found = await libraries.view(guild)
            return answer(found.catalog)

        async def core() -> object:
            return answer(operator)

        warm_samples += await timed(warm, 250)
        core_samples += await timed(core, 250)
    warm50, warm99 = percentiles(warm_samples)
    core50, core99 = percentiles(core_samples)
    print(f"warm lookup: p50 {warm50 * 1000:.1f} µs  p99 {warm99 * 1000:.1f} µs")
    print(
        f"core lookup (operator catalog alone): p50 {core50 * 1000:.1f} µs  "
        f"p99 {core99 * 1000:.1f} µs"
    )
    print(f"warm/core p50 ratio: {warm50 / core50:.2f}x (target: ≤ 1.1x)")
    del view

    # Memory: enough cold servers to fill the cache.
    for server in order[cold_rounds : cold_rounds + 3000]:
        await libraries.view(FIRST_GUILD + server)
    cached = len(libraries._cache)
    print(
        f"RSS after {cold_rounds + 3000} servers read ({cached} cached, "
        f"{libraries._cache.currsize / 2**20:.1f} MiB counted): {rss_mb():.1f} MB "
        "(target: < 150 MB)"
    )

    # Imports: spread over servers (the rate limit is per server per minute).
    seed = (REPO / "data" / "2003-1000km-le-mans-qualifying.md").read_bytes()
    samples = []
    for number in range(imports):
        guild = FIRST_GUILD + order[number % server_count]
        t0 = time.perf_counter_ns()
        await libraries.import_file(guild, 2, f"{IMPORTED}{number}.md", seed, replace=False)
        samples.append((time.perf_counter_ns() - t0) / 1e6)
    p50, p99 = percentiles(samples)
    print(f"import ({imports}): p50 {p50:.2f} ms  p99 {p99:.2f} ms  (target: p99 < 50 ms)")
    await libraries.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--servers", type=int, default=10_000)
    parser.add_argument("--grids", type=int, default=10)
    parser.add_argument("--cold", type=int, default=1000)
    parser.add_argument("--imports", type=int, default=300)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    path = args.db or OUT / f"servers-{args.servers}x{args.grids}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not usable(path, args.servers):
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
        build(path, args.servers, args.grids)
    else:
        print(f"reusing {path} ({path.stat().st_size / 2**20:.0f} MiB)")
    try:
        asyncio.run(measure(path, args.servers, args.cold, args.imports))
    finally:
        forget_imports(path)


def forget_imports(path: Path) -> None:
    """Take the measured imports out again, so that the database can be reused as built
    (copying 400 MiB instead would have the disk busy during the next measurement)."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        ids = select(files.c.id).where(files.c.key.like(f"{IMPORTED}%")).scalar_subquery()
        connection.execute(delete(versions).where(versions.c.file_id.in_(ids)))
        connection.execute(delete(files).where(files.c.key.like(f"{IMPORTED}%")))
        connection.execute(delete(audit))
    engine.dispose()


if __name__ == "__main__":
    main()
