"""The end-to-end benchmark's verdicts: which floor's bound a ratio misses, and the turns.

The benchmark itself runs for minutes (``bench/e2e_bench.py``); these check the arithmetic
that turns its figures into "met" or "MISSED", which a slip would make lie quietly.
"""

from __future__ import annotations

import dataclasses
import gc
import json
from pathlib import Path

from bench.e2e_bench import (
    PLAIN_SAME,
    Metric,
    Run,
    round_ratios,
    stand_in_gc_paused,
    table,
    turns,
)
from bench.run_all import e2e_rows


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


def test_a_bound_discord_py_misses_by_itself_is_out_of_reach() -> None:
    # The bot misses both constant floors' bounds; the same-question floor (discord.py
    # answering the bot's question, nothing of ours) misses the speed one too, not the plain.
    metric = cpu(100, plain=99, speed=80, same=96, plain_same=120)
    assert metric.missed == ["plain", "speed"]
    assert metric.out_of_reach == {"speed": 96 / 80}
    assert "MISSED (plain, speed), out of reach: same is 1.20× speed" in table([metric])


def test_nothing_is_out_of_reach_when_met_or_without_a_same_floor() -> None:
    assert cpu(90, plain=100, speed=88, same=95, plain_same=110).out_of_reach == {}
    measured = cpu(100, plain=95, speed=80, same=float("nan"), plain_same=120)
    unmeasured = dataclasses.replace(measured, same_bound=None)
    assert unmeasured.missed == ["plain", "speed"]
    assert unmeasured.out_of_reach == {}


def test_make_bench_says_which_misses_are_out_of_reach(tmp_path: Path) -> None:
    metric = cpu(100, plain=99, speed=80, same=96, plain_same=120)
    row = {
        **dataclasses.asdict(metric),
        "ratio": metric.ratio,
        "speed_ratio": metric.speed_ratio,
        "same_ratio": metric.same_ratio,
        "plain_same_ratio": metric.plain_same_ratio,
        "out_of_reach": metric.out_of_reach,
        "target": metric.target,
        "met": metric.met,
    }
    results = tmp_path / "e2e.json"
    results.write_text(json.dumps([row]), encoding="utf-8")

    (shown,) = e2e_rows(results)

    assert shown.verdict == "MISSED"
    assert shown.value.endswith("; out of reach: discord.py alone (same) is 1.20× speed")
