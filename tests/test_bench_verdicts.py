"""The end-to-end benchmark's verdicts: which floor's bound a ratio misses, and the turns.

The benchmark itself runs for minutes (``bench/e2e_bench.py``); these check the arithmetic
that turns its figures into "met" or "MISSED", which a slip would make lie quietly.
"""

from __future__ import annotations

import gc

from bench.e2e_bench import (
    PLAIN_SAME,
    Metric,
    Run,
    round_ratios,
    stand_in_gc_paused,
    table,
    turns,
)


def cpu(bot: float, *, plain: float, speed: float, same: float, plain_same: float) -> Metric:
    return Metric(
        "CPU per command",
        "µs",
        plain=plain,
        speed=speed,
        bot=bot,
        plain_bound=1.0,
        speed_bound=1.05,
        same=same,
        same_bound=1.05,
        plain_same=plain_same,
        plain_same_bound=1.0,
    )


def test_every_bound_met() -> None:
    metric = cpu(90, plain=100, speed=88, same=87, plain_same=110)
    assert metric.missed == []
    assert metric.met is True


def test_each_floor_missed_is_named() -> None:
    metric = cpu(100, plain=95, speed=80, same=99, plain_same=120)
    assert metric.missed == ["plain", "speed"]
    assert metric.met is False
    assert "MISSED (plain, speed)" in table([metric])


def test_higher_is_better_for_throughput() -> None:
    metric = Metric(
        "burst throughput",
        "/s",
        plain=2000,
        speed=2100,
        bot=1900,
        plain_bound=1.0,
        higher_is_better=True,
        plain_same=1800,
        plain_same_bound=1.0,
    )
    assert metric.missed == ["plain"]
    assert round(metric.plain_same_ratio, 3) == round(1900 / 1800, 3)


def test_a_metric_without_bounds_has_no_verdict() -> None:
    metric = Metric("RSS idle", "MiB", plain=42.0, speed=47.0, bot=74.0)
    assert metric.met is None
    assert metric.missed == []


def test_lost_is_met_only_at_zero() -> None:
    assert Metric("lost", "lost", plain=0, speed=0, bot=0).met is True
    assert Metric("lost", "lost", plain=0, speed=0, bot=1).missed == ["lost"]


def test_the_table_shows_every_floor() -> None:
    metric = cpu(90, plain=100, speed=88, same=87, plain_same=110)
    head, row = table([metric]).splitlines()
    assert PLAIN_SAME in head and "bot/p-same" in head
    assert "0.82×" in row  # 90 / 110, the plain same-question floor
    assert row.endswith("met")


def test_turns_rotate_who_goes_first() -> None:
    items = ["a", "b", "c"]
    assert [turns(items, n) for n in range(4)] == [
        ["a", "b", "c"],
        ["b", "c", "a"],
        ["c", "a", "b"],
        ["a", "b", "c"],
    ]


def test_ratios_round_by_round() -> None:
    floors = ("plain", "speed", "same", PLAIN_SAME)
    runs = {
        name: [Run(name, latencies_ms=[1.0, 3.0], cpu_sequential_us=cpu, burst_rates=[100.0])]
        for name, cpu in zip(floors, (100.0, 80.0, 90.0, 120.0), strict=True)
    }
    runs["bot"] = [Run("bot", latencies_ms=[1.8], cpu_sequential_us=90.0, burst_rates=[110.0])]
    lines = round_ratios(runs, floors).splitlines()
    assert lines[1].split()[-4:] == ["0.90×", "0.90×", "0.90×", "0.90×"]  # 1.8 / median 2.0
    assert lines[2].split()[-4:] == ["0.90×", "1.12×", "1.00×", "0.75×"]
    assert lines[3].split()[-4:] == ["1.10×"] * 4


def test_the_stand_in_collects_once_per_pause() -> None:
    collections = gc.get_stats()[2]["collections"]
    with stand_in_gc_paused():
        assert not gc.isenabled()
        with stand_in_gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # still paused: the outer pause ends it
    assert gc.isenabled()
    assert gc.get_stats()[2]["collections"] == collections + 1
