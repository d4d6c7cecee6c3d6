"""Lap times and gaps, kept exactly as integer ten-thousandths of a second.

Published times carry at most four decimals, so an ``int`` of 1/10,000 s holds every one of them
exactly; arithmetic never touches ``float``. Display rounds once, to the thousandth, half up.
"""

from __future__ import annotations

import re
from fractions import Fraction

TICKS_PER_SECOND = 10_000
"""One tick is a ten-thousandth of a second."""

NO_TIME_WORDS = frozenset({"", "-", "\u2013", "\u2014", "nt", "no time"})
"""Cell values that mean the car set no time (compared case-insensitively)."""

_TIME = re.compile(
    r"""^(?:
        (?P<h>\d+):(?P<hm>[0-5]\d):(?P<hs>[0-5]\d)     # h:mm:ss
      | (?P<m>\d+):(?P<ms>[0-5]\d)                     # m:ss
      | (?P<s>\d+)                                     # ss
    )\.(?P<frac>\d{1,4})$""",
    re.VERBOSE,
)


class TimeFormatError(ValueError):
    """A cell that should hold a lap time does not."""


def is_no_time(text: str) -> bool:
    """Whether a cell says the car set no time (empty, ``-``, ``—``, ``NT``, ``no time``)."""
    return " ".join(text.split()).casefold() in NO_TIME_WORDS


def parse_time(text: str) -> int:
    """Parse ``m:ss.ffff``, ``ss.fff`` or ``h:mm:ss.fff`` (1-4 decimals) into ticks."""
    match = _TIME.match(text.strip())
    if match is None:
        raise TimeFormatError(
            f"cannot read the lap time {text.strip()!r}: "
            "expected m:ss.fff, ss.fff or h:mm:ss.fff with 1-4 decimals"
        )
    g = match.groupdict()
    if g["h"] is not None:
        seconds = int(g["h"]) * 3600 + int(g["hm"]) * 60 + int(g["hs"])
    elif g["m"] is not None:
        seconds = int(g["m"]) * 60 + int(g["ms"])
    else:
        seconds = int(g["s"])
    frac = g["frac"]
    return seconds * TICKS_PER_SECOND + int(frac.ljust(4, "0"))


def _thousandths(ticks: int) -> int:
    """Round non-negative ticks to whole thousandths of a second, half up."""
    q, r = divmod(ticks, 10)
    return q + (1 if r >= 5 else 0)


def format_time(ticks: int) -> str:
    """A lap time as shown: ``1:29.533``, ``58.120`` or ``1:02:03.400``."""
    ms = _thousandths(ticks)
    seconds, millis = divmod(ms, 1000)
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}.{millis:03d}"
    if minutes:
        return f"{minutes}:{secs:02d}.{millis:03d}"
    return f"{secs}.{millis:03d}"


def format_gap(ticks: int, *, signed: bool = False) -> str:
    """A gap in seconds to the thousandth: ``1.153 s`` (``+1.153 s`` when signed)."""
    ms = _thousandths(abs(ticks))
    sign = ("+" if ticks >= 0 else "-") if signed else ("-" if ticks < 0 else "")
    whole, millis = divmod(ms, 1000)
    return f"{sign}{whole}.{millis:03d} s"


def percent(part: int, whole: int) -> Fraction:
    """``part`` as an exact percentage of ``whole``."""
    return Fraction(part * 100, whole)


def format_percent(value: Fraction, *, signed: bool = False) -> str:
    """A percentage rounded once to three decimals: ``1.294 %``."""
    scaled = abs(value) * 1000
    q, r = divmod(scaled.numerator, scaled.denominator)
    if 2 * r >= scaled.denominator:
        q += 1
    sign = "-" if value < 0 else ("+" if signed else "")
    return f"{sign}{q // 1000}.{q % 1000:03d} %"
