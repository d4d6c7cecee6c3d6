"""Gap arithmetic on exact times."""

from __future__ import annotations

from bot.core.answers import Gap
from bot.core.model import Entry


def gap_between(a: Entry, b: Entry) -> Gap | None:
    """The gap between two entries (faster first), or ``None`` if either set no time.

    Cars on the same time keep their published order.
    """
    if a.time is None or b.time is None:
        return None
    if (a.time, a.position) <= (b.time, b.position):
        return Gap(faster=a, slower=b, ticks=b.time - a.time)
    return Gap(faster=b, slower=a, ticks=a.time - b.time)
