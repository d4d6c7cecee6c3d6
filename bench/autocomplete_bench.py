"""Autocomplete latency over 10,000 names: p50/p99 per keystroke, every ranking tier.

Run: .venv/bin/python -m bench.autocomplete_bench
"""

from __future__ import annotations

import random
import statistics
import time

from bot.core.complete import MAX_CHOICES
from bot.core.search import NameIndex

FIRST = ["Jan", "Tom", "Stéphane", "Noël", "Andy", "Seiji", "Marc", "Liz", "Gaël", "Olivier"]
LAST = ["Lammers", "Kristensen", "Sarrazin", "Wallace", "Ara", "Rostan", "Halliday", "Porta"]
WORDS = ["Racing", "Motorsport", "Team", "Compétition", "Sport", "Engineering", "Works"]


def names(count: int, seed: int = 2003) -> list[str]:
    """``count`` distinct, realistic-looking names (drivers and teams mixed)."""
    rng = random.Random(seed)
    found: set[str] = set()
    while len(found) < count:
        if rng.random() < 0.5:
            found.add(f"{rng.choice(FIRST)} {rng.choice(LAST)}-{rng.randrange(10_000)}")
        else:
            found.add(f"{rng.choice(LAST)} {rng.choice(WORDS)} {rng.randrange(10_000)}")
    return sorted(found, key=lambda _: rng.random())


def keystrokes(pool: list[str], rng: random.Random) -> list[str]:
    """What people type: prefixes, word starts, inner substrings, typos, nothing, nonsense."""
    typed: list[str] = ["", "zzzz"]
    for name in rng.sample(pool, 200):
        words = name.split()
        typed.append(name[: rng.randint(1, 6)])
        typed.append(words[-1][:3])
        typed.append(name[2:6])
        swapped = list(words[0])
        if len(swapped) > 3:
            swapped[1], swapped[2] = swapped[2], swapped[1]
        typed.append("".join(swapped))
    return typed


def measure(count: int = 10_000, repeats: int = 5) -> dict[str, float]:
    pool = names(count)
    started = time.perf_counter()
    index = NameIndex((name, name) for name in pool)
    build = time.perf_counter() - started
    rng = random.Random(1)
    queries = keystrokes(pool, rng)
    timings: list[float] = []
    for _ in range(repeats):
        for query in queries:
            t0 = time.perf_counter_ns()
            hits = index.search(query, MAX_CHOICES)
            [hit.item[:100] for hit in hits]
            timings.append((time.perf_counter_ns() - t0) / 1e6)
    timings.sort()
    return {
        "names": count,
        "queries": len(timings),
        "build_ms": build * 1000,
        "p50_ms": statistics.median(timings),
        "p99_ms": timings[int(len(timings) * 0.99) - 1],
        "max_ms": timings[-1],
    }


def main() -> None:
    result = measure()
    print("autocomplete over {names:,} names: {queries} keystrokes".format(**result))
    print(
        "  p50 {p50_ms:.3f} ms   p99 {p99_ms:.3f} ms   max {max_ms:.3f} ms   "
        "index build {build_ms:.0f} ms   (target: p99 < 2 ms)".format(**result)
    )


if __name__ == "__main__":
    main()
