"""Lap times: parsing into integer ticks, no-time cells, and display rounded once, half up."""

from __future__ import annotations

from fractions import Fraction

import pytest

from bot.core.times import (
    TICKS_PER_SECOND,
    TimeFormatError,
    format_gap,
    format_percent,
    format_time,
    is_no_time,
    parse_time,
    percent,
)


@pytest.mark.parametrize(
    ("text", "ticks"),
    [
        ("1:29.5", 895_000),
        ("1:29.53", 895_300),
        ("1:29.533", 895_330),
        ("1:29.5330", 895_330),
        ("1:29.5335", 895_335),
        ("0:59.9999", 599_999),
        ("12:00.1", 7_201_000),
        ("58.120", 581_200),
        ("9.5", 95_000),
        ("0.0001", 1),
        ("1:02:03.400", 37_234_000),
        ("10:00:00.0001", 360_000_001),
        ("  1:29.533  ", 895_330),
    ],
)
def test_parse_time_reads_every_published_format(text: str, ticks: int) -> None:
    parsed = parse_time(text)
    assert parsed == ticks
    assert type(parsed) is int


def test_ticks_are_ten_thousandths() -> None:
    assert TICKS_PER_SECOND == 10_000
    assert parse_time("1.0000") == TICKS_PER_SECOND


@pytest.mark.parametrize(
    "text",
    [
        "1:29",  # no decimals
        "89",
        "1:29.",
        "1:29.53301",  # five decimals
        "58.12345",
        "1:60.000",  # seconds out of range
        "1:02:60.000",
        "1:60:00.000",  # minutes out of range in h:mm:ss
        "1:2a.533",
        "abc",
        "1:29.53x",
        "1'29.533",
        "1:29,533",
        "-1:29.533",
        ".533",
        "1::29.533",
        "",
        "NT",
    ],
)
def test_parse_time_rejects_what_it_cannot_read_exactly(text: str) -> None:
    with pytest.raises(TimeFormatError) as caught:
        parse_time(text)
    assert isinstance(caught.value, ValueError)
    assert "cannot read the lap time" in str(caught.value)
    assert repr(text.strip()) in str(caught.value)


@pytest.mark.parametrize("text", ["", "-", "—", "–", "NT", "nt", "no time", " No  Time ", "\tNT\n"])
def test_is_no_time_recognises_every_spelling(text: str) -> None:
    assert is_no_time(text) is True


@pytest.mark.parametrize("text", ["1:29.533", "N", "T", "no", "time", "notime", "--", "0", "DNS"])
def test_is_no_time_is_false_for_anything_else(text: str) -> None:
    assert is_no_time(text) is False


@pytest.mark.parametrize(
    ("ticks", "shown"),
    [
        (895_330, "1:29.533"),
        (895_334, "1:29.533"),
        (895_335, "1:29.534"),  # exactly half: up
        (895_336, "1:29.534"),
        (581_200, "58.120"),
        (5, "0.001"),
        (4, "0.000"),
        (0, "0.000"),
        (599_995, "1:00.000"),  # rounding carries into the minute
        (599_994, "59.999"),
        (35_999_995, "1:00:00.000"),  # and into the hour
        (37_234_000, "1:02:03.400"),
        (6_000_000, "10:00.000"),
    ],
)
def test_format_time_rounds_once_half_up_to_the_thousandth(ticks: int, shown: str) -> None:
    assert format_time(ticks) == shown


@pytest.mark.parametrize(
    ("ticks", "shown"),
    [
        (11_530, "1.153 s"),
        (15, "0.002 s"),
        (25, "0.003 s"),  # half up, not half to even
        (24, "0.002 s"),
        (10_005, "1.001 s"),
        (0, "0.000 s"),
        (-25, "-0.003 s"),
        (123_456_785, "12345.679 s"),
    ],
)
def test_format_gap_rounds_half_up(ticks: int, shown: str) -> None:
    assert format_gap(ticks) == shown


def test_format_gap_signed() -> None:
    assert format_gap(11_530, signed=True) == "+1.153 s"
    assert format_gap(-11_530, signed=True) == "-1.153 s"
    assert format_gap(0, signed=True) == "+0.000 s"


def test_gap_is_exact_integer_arithmetic() -> None:
    gap = parse_time("1:29.5330") - parse_time("1:28.3800")
    assert gap == 11_530
    assert type(gap) is int
    assert format_gap(gap) == "1.153 s"


def test_a_gap_that_floats_would_round_down_rounds_up() -> None:
    # As floats, 61.0005 - 60.0 is 1.00049999..., which rounds to 1.000.
    gap = parse_time("1:01.0005") - parse_time("1:00.0000")
    assert gap == 10_005
    assert format_gap(gap) == "1.001 s"
    # And 0.3 - 0.1 is exactly 0.2 here.
    assert parse_time("0.3") - parse_time("0.1") == parse_time("0.2") == 2_000


def test_percent_is_an_exact_fraction() -> None:
    value = percent(11_530, 883_800)
    assert isinstance(value, Fraction)
    assert value == Fraction(11_530 * 100, 883_800)
    assert format_percent(value) == "1.305 %"
    assert format_percent(value, signed=True) == "+1.305 %"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction(1, 2000), "0.001 %"),  # exactly half a thousandth: up
        (Fraction(1, 2001), "0.000 %"),  # a hair under half
        (Fraction(3, 2000), "0.002 %"),
        (Fraction(-1, 2000), "-0.001 %"),
        (Fraction(0), "0.000 %"),
        (Fraction(100), "100.000 %"),
        (Fraction(16_350 * 100, 878_980), "1.860 %"),
        (Fraction(999_999, 1_000_000), "1.000 %"),
    ],
)
def test_format_percent_rounds_half_up(value: Fraction, shown: str) -> None:
    assert format_percent(value) == shown


def test_format_percent_signed_zero_and_negative() -> None:
    assert format_percent(Fraction(0), signed=True) == "+0.000 %"
    assert format_percent(Fraction(-3, 2000), signed=True) == "-0.002 %"
