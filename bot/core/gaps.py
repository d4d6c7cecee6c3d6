"""Gap arithmetic on exact times: between best laps, within a part of qualifying, and at
the finish of a race."""

from __future__ import annotations

from bot.core.answers import Finish, Gap
from bot.core.model import Entry


def gap_between(a: Entry, b: Entry) -> Gap | None:
    """The gap between two entries (faster first), or ``None`` if either set no time.

    In a qualifying in parts (Q1, Q2, Q3) the gap is measured in the last part both cars
    set a time in. Cars on the same time keep their published order.
    """
    if a.parts and b.parts:
        return _part_gap(a, b)
    if a.time is None or b.time is None:
        return None
    if (a.time, a.position) <= (b.time, b.position):
        return Gap(faster=a, slower=b, ticks=b.time - a.time)
    return Gap(faster=b, slower=a, ticks=a.time - b.time)


def _part_gap(a: Entry, b: Entry) -> Gap | None:
    times_b = dict(b.parts)
    common = [
        (name, time, times_b[name])
        for name, time in a.parts
        if time is not None and times_b.get(name) is not None
    ]
    if not common:
        return None
    part, time_a, time_b = common[-1]
    assert time_b is not None
    if (time_a, a.position) <= (time_b, b.position):
        return Gap(faster=a, slower=b, ticks=time_b - time_a, part=part, base=time_a)
    return Gap(faster=b, slower=a, ticks=time_a - time_b, part=part, base=time_b)


def finish_between(a: Entry, b: Entry) -> Finish:
    """How two cars finished a race against each other, the one classified ahead first:
    laps between them when they differ, else the time between them when the file gives it
    (as race times, or as each car's time behind the winner)."""
    ahead, behind = (a, b) if a.position <= b.position else (b, a)
    if ahead.laps is not None and behind.laps is not None and ahead.laps != behind.laps:
        return Finish(ahead, behind, laps=ahead.laps - behind.laps)
    if ahead.status or behind.status:
        return Finish(ahead, behind)
    if ahead.total is not None and behind.total is not None:
        return Finish(ahead, behind, ticks=behind.total - ahead.total)
    lead_a = 0 if ahead.position == 1 and ahead.behind is None else ahead.behind
    lead_b = behind.behind
    if lead_a is not None and lead_b is not None:
        return Finish(ahead, behind, ticks=lead_b - lead_a)
    return Finish(ahead, behind)
