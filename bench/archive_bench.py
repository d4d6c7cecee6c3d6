"""An archive of 1,000 grids × 60 cars: load time, memory, and lookups as the archive grows.

Run: .venv/bin/python -m bench.archive_bench [--md-only] [--grids N]

Writes a mixed archive (Markdown with and without a header, CSV, front matter, sidecars, a class
column in some) to a temporary directory, then loads it in fresh subprocesses, so the memory
figures are the load's own: ``load_catalog`` time (median of five runs), resident memory after
it (VmRSS) and at its peak (VmHWM), against the targets. Then times one lookup —
``catalog.find`` + ``grid_slot(grid, 30)`` + ``car_gap`` — with 1, 10, 100 and 1,000 grids loaded.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import MappingProxyType
from typing import Any

LOAD_TARGET_S = 1.0
RSS_TARGET_MB = 150.0
SIZES = (1, 10, 100, 1000)
RUNS = 5
LOOKUPS = 2000

FIRST = ["Jan", "Tom", "Stéphane", "Noël", "Andy", "Seiji", "Marc", "Liz", "Gaël", "Olivier"]
LAST = ["Lammers", "Kristensen", "Sarrazin", "Wallace", "Ara", "Rostan", "Halliday", "Porta"]
CARS = ["Audi R8", "Dome S101 Judd", "Lister Storm LMP", "MG Lola EX257", "Porsche 911 GT3-RS"]
TEAMS = ["Racing", "Motorsport", "Team", "Compétition", "Sport", "Engineering", "Works"]
EVENTS = ["1000 km of Le Mans", "Spa 6 Hours", "Petit Le Mans", "Sebring 12 Hours"]
EVENTS += ["Nürburgring 1000 km", "Monza 1000 km", "Silverstone 6 Hours", "Road America 500"]
SUFFIXES = ["", "", "", "", ", Ltd.", ' "Works"']
CLASSES = ["LMP900", "LMP675", "GTS", "GT"]
HEADERS = {
    "position": ("Pos", "Position", "P"),
    "number": ("No.", "#", "Car No"),
    "drivers": ("Driver", "Drivers"),
    "car": ("Car", "Chassis"),
    "team": ("Team", "Entrant"),
    "time": ("Time", "Best lap", "Lap time"),
}
KINDS = ("md", "md-header", "csv", "md", "md-front", "csv", "md-header", "csv")
"""The mix, by grid number: Markdown 5/8 (some with a header, some with front matter), CSV 3/8."""


# The archive.


def _lap(ticks: int) -> str:
    seconds, fraction = divmod(ticks, 10_000)
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}:{seconds:02d}.{fraction:04d}"


def _entries(rng: random.Random, cars: int, drivers: list[str]) -> list[dict[str, str]]:
    numbers = rng.sample(range(1, 1000), cars)
    no_time = rng.choice((0, 0, 1, 2))
    ticks = 2_100_000 + rng.randrange(300_000)
    rows = []
    for position in range(1, cars + 1):
        ticks += rng.randrange(1, 8_000)
        lineup = rng.sample(drivers, rng.randint(1, 3))
        if rng.random() < 0.05:
            lineup[-1] = "*" + lineup[-1]
        rows.append(
            {
                "position": rng.choice((f"{position}", f"P{position}", _ordinal(position))),
                "number": str(numbers[position - 1]),
                "drivers": " / ".join(lineup),
                "car": rng.choice(CARS),
                "team": f"{rng.choice(LAST)} {rng.choice(TEAMS)}{rng.choice(SUFFIXES)}",
                "time": "—" if position > cars - no_time else _lap(ticks),
                "class": CLASSES[min(position * len(CLASSES) // cars, len(CLASSES) - 1)],
                "laps": str(rng.randint(3, 20)),
            }
        )
    return rows


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _markdown(rows: list[dict[str, str]], columns: list[str], header: list[str] | None) -> str:
    lines = []
    if header:
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row[c] for c in columns) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _csv(rows: list[dict[str, str]], columns: list[str], header: list[str]) -> str:
    def quote(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\n') else cell

    lines = [",".join(header)]
    lines += [",".join(quote(row[c]) for c in columns) for row in rows]
    return "\r\n".join(lines) + "\r\n"


def write_archive(
    root: Path, grids: int = 1000, cars: int = 60, *, md_only: bool = False, seed: int = 2003
) -> Counter[str]:
    """Write ``grids`` grid files under ``root``, a folder per year; count each kind written."""
    rng = random.Random(seed)
    drivers = [f"{first} {last}-{i}" for i, (first, last) in enumerate(_pairs(2000))]
    made: Counter[str] = Counter()
    for number in range(grids):
        kind = "md" if md_only else KINDS[number % len(KINDS)]
        year, event = 1950 + number // 16, EVENTS[number % len(EVENTS)]
        session = ("qualifying", "race")[number // len(EVENTS) % 2]
        slug = "-".join(event.lower().replace("ü", "u").split())
        folder = root / str(year)
        folder.mkdir(exist_ok=True)
        path = folder / f"{year}-{slug}-{session}.{'csv' if kind == 'csv' else 'md'}"
        rows = _entries(rng, cars, drivers)
        columns = list(HEADERS)
        rng.shuffle(columns)
        if number % 3 == 0:
            columns.insert(rng.randrange(len(columns)), "class")
        if kind == "csv" and number % 2:
            columns.append("laps")
        header = [rng.choice(HEADERS.get(c, (c.title(),))) for c in columns]
        meta = f'event = "{event}"\nyear = {year}\nsession = "{session.title()}"\n'
        meta += '[legend]\n"*" = "rookie"\n'
        if kind == "md":
            text = _markdown(rows, list(HEADERS), None)
        elif kind == "md-header":
            text = _markdown(rows, columns, header)
        elif kind == "md-front":
            text = "+++\n" + meta + "+++\n\n" + _markdown(rows, columns, header)
        else:
            text = _csv(rows, columns, header)
        path.write_text(text, encoding="utf-8")
        made[kind] += 1
        if number % 5 == 0:
            path.with_suffix(".toml").write_text(meta, encoding="utf-8")
            made["sidecar"] += 1
    return made


def _pairs(count: int) -> list[tuple[str, str]]:
    return [(FIRST[i % len(FIRST)], LAST[i // len(FIRST) % len(LAST)]) for i in range(count)]


# Measurements, run in a fresh interpreter (``--child``).


def _status() -> dict[str, float]:
    """VmRSS and VmHWM of this process, in MB."""
    with Path("/proc/self/status").open(encoding="ascii") as status:
        fields = dict(line.split(":", 1) for line in status if line.startswith("Vm"))
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")}


def _child_load(root: Path) -> dict[str, Any]:
    started = time.perf_counter()
    from bot.core.loader import load_catalog

    imported = time.perf_counter()
    before, cpu = _status(), time.process_time()
    catalog = load_catalog(root)
    loaded, cpu = time.perf_counter(), time.process_time() - cpu
    after = _status()
    return {
        "import_s": imported - started,
        "load_s": loaded - imported,
        "cpu_s": cpu,
        "rss_before_mb": before["VmRSS"],
        "rss_mb": after["VmRSS"],
        "hwm_mb": after["VmHWM"],
        "grids": len(catalog.grids),
        "cars": sum(len(grid) for grid in catalog.grids.values()),
    }


def _child_lookups(root: Path) -> dict[str, Any]:
    from bot.core import queries
    from bot.core.catalog import Catalog
    from bot.core.loader import load_catalog

    everything = load_catalog(root).grids
    keys = sorted(everything)
    rng = random.Random(7)
    result: dict[str, Any] = {}
    for size in SIZES:
        chosen = keys[:: max(1, len(keys) // size)][:size]
        catalog = Catalog(MappingProxyType({k: everything[k] for k in chosen}))
        started = time.perf_counter()
        catalog.find(everything[chosen[0]].meta.title)  # builds the catalog's name index
        build_ms = (time.perf_counter() - started) * 1000
        for by in ("key", "title"):
            timings = []
            for _ in range(LOOKUPS):
                key = rng.choice(chosen)
                event = key if by == "key" else everything[key].meta.title
                car_a, car_b = rng.sample(everything[key].numbers, 2)
                t0 = time.perf_counter_ns()
                grid = catalog.find(event)
                queries.grid_slot(grid, 30)
                queries.car_gap(grid, car_a, car_b)
                timings.append((time.perf_counter_ns() - t0) / 1000)
                assert grid is everything[key]
            timings.sort()
            result[f"{size}/{by}"] = {
                "p50_us": statistics.median(timings),
                "p99_us": timings[int(len(timings) * 0.99) - 1],
                "index_ms": build_ms,
            }
    return result


def _run_child(mode: str, root: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.archive_bench", "--child", mode, str(root)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    loaded: dict[str, Any] = json.loads(done.stdout)
    return loaded


def _verdict(value: float, target: float) -> str:
    return "ok" if value < target else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.archive_bench")
    parser.add_argument("--grids", type=int, default=1000)
    parser.add_argument("--md-only", action="store_true", help="Markdown without header only")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, root = args.child
        measure = _child_load if mode == "load" else _child_lookups
        print(json.dumps(measure(Path(root))))
        return 0

    with tempfile.TemporaryDirectory(prefix="gridbot-archive-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        made = write_archive(root, args.grids, md_only=args.md_only)
        written = time.perf_counter() - started
        mix = ", ".join(f"{count} {kind}" for kind, count in sorted(made.items()))
        print(f"archive: {args.grids:,} grids × 60 cars ({mix}), written in {written:.1f} s")
        runs = [_run_child("load", root) for _ in range(RUNS)]
        load = statistics.median(run["load_s"] for run in runs)
        cpu = statistics.median(run["cpu_s"] for run in runs)
        rss = max(run["rss_mb"] for run in runs)
        hwm = max(run["hwm_mb"] for run in runs)
        base = min(run["rss_before_mb"] for run in runs)
        cars = runs[0]["cars"]
        print(f"\nload_catalog, fresh process each, median of {RUNS} ({cars:,} cars)")
        print(f"  {'load time':<22}{load:>8.3f} s    target < {LOAD_TARGET_S:g} s    ", end="")
        each = ", ".join(f"{run['load_s']:.3f}" for run in runs)
        print(_verdict(load, LOAD_TARGET_S), f"  (runs: {each} s)")
        print(f"  {'CPU time':<22}{cpu:>8.3f} s")
        print(f"  {'RSS after load':<22}{rss:>8.1f} MB   target < {RSS_TARGET_MB:g} MB  ", end="")
        print(_verdict(rss, RSS_TARGET_MB), f"  (after imports alone: {base:.1f} MB)")
        print(f"  {'peak RSS (VmHWM)':<22}{hwm:>8.1f} MB")
        lookups = _run_child("lookups", root)
    print(f"\nfind(event) + grid_slot(grid, 30) + car_gap(a, b), {LOOKUPS:,} lookups each, µs")
    print(
        f"  {'grids':>6} {'by key p50':>11} {'p99':>8} {'by title p50':>13} {'p99':>8} {'index':>9}"
    )
    for size in SIZES:
        key, title = lookups[f"{size}/key"], lookups[f"{size}/title"]
        print(
            f"  {size:>6,} {key['p50_us']:>11.1f} {key['p99_us']:>8.1f} "
            f"{title['p50_us']:>13.1f} {title['p99_us']:>8.1f} {key['index_ms']:>7.1f}ms"
        )
    return 0 if load < LOAD_TARGET_S and rss < RSS_TARGET_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
