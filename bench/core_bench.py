"""Core answer latency: lookup + answer + card + embed payload, p50/p99, per command.

Run: .venv/bin/python -m bench.core_bench [--archive DIR]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bot.core import queries
from bot.core.catalog import Catalog
from bot.core.loader import load_catalog
from bot.render.cards import card_for
from bot.render.embed import to_embed

SEED_DIR = Path(__file__).resolve().parent.parent / "data"


def timings(work: Callable[[], object], rounds: int) -> tuple[float, float]:
    """p50 and p99 in microseconds over ``rounds`` calls (after a warm-up)."""
    for _ in range(50):
        work()
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter_ns()
        work()
        samples.append((time.perf_counter_ns() - t0) / 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def commands(catalog: Catalog, event: str | None) -> dict[str, Callable[[], object]]:
    """The three answer paths as a cog runs them, up to the JSON Discord would receive."""
    grid = catalog.find(event)
    middle = grid.entries[len(grid) // 2]
    team = middle.team
    a, b = grid.entries[1].number, grid.entries[4].number

    def render(answer: object) -> object:
        return to_embed(card_for(answer)).to_dict()

    return {
        "/grid": lambda: render(queries.grid_slot(catalog.find(event), middle.position)),
        "/team": lambda: render(queries.team_entries(catalog.find(event), team)),
        "/gap": lambda: render(queries.car_gap(catalog.find(event), a, b)),
    }


def run(label: str, catalog: Catalog, event: str | None, rounds: int) -> list[str]:
    rows = []
    for name, work in commands(catalog, event).items():
        p50, p99 = timings(work, rounds)
        rows.append(f"| {label} | {name} | {p50:.1f} | {p99:.1f} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--archive", type=Path, help="a directory of many grids to load too")
    parser.add_argument("--rounds", type=int, default=5000)
    args = parser.parse_args()
    print("| grids | command | p50 µs | p99 µs |")
    print("|---|---|---|---|")
    for row in run("seed (1 grid, 34 cars)", load_catalog(SEED_DIR), None, args.rounds):
        print(row)
    if args.archive:
        catalog = load_catalog(args.archive)
        key = catalog.ordered[len(catalog.grids) // 2][0]
        label = f"archive ({len(catalog.grids)} grids)"
        for row in run(label, catalog, key, args.rounds):
            print(row)
    print("target: p50 ≤ 50 µs on the seed grid")


if __name__ == "__main__":
    main()
