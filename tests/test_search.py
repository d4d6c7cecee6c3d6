"""Ranking tiers and fuzzy thresholds of the name index behind autocomplete."""

from __future__ import annotations

from bot.core.search import EXACT, FUZZY, PREFIX, SUBSTRING, WORD_START, NameIndex

NAMES = [
    "Racing For Holland",
    "Lister Racing",
    "Intersport Racing Field",
    "Intersport Racing",
    "Noël del Bello",
    "Care Racing",
    "Racing",
]


def index() -> NameIndex[str]:
    return NameIndex((name, name) for name in NAMES)


def test_tiers_in_order() -> None:
    hits = index().search("racing")
    assert [(h.item, h.tier) for h in hits] == [
        ("Racing", EXACT),
        ("Racing For Holland", PREFIX),
        ("Lister Racing", WORD_START),
        ("Intersport Racing Field", WORD_START),
        ("Intersport Racing", WORD_START),
        ("Care Racing", WORD_START),
    ]


def test_substring_then_fuzzy() -> None:
    assert [(h.item, h.tier) for h in index().search("ister")] == [("Lister Racing", SUBSTRING)]
    hits = index().search("lsiter")
    assert hits[0].item == "Lister Racing" and hits[0].tier == FUZZY


def test_accents_case_punctuation() -> None:
    assert index().search("NOEL-DEL")[0].item == "Noël del Bello"


def test_no_absurd_guesses() -> None:
    for nonsense in ("zzzz", "qwxj", "12345"):
        assert index().search(nonsense) == []


def test_limit_and_each_item_once() -> None:
    many = NameIndex((f"Team {n}", n) for n in range(100))
    hits = many.search("team", limit=25)
    assert [h.item for h in hits] == list(range(25))
    aliased = NameIndex([("8", "car8"), ("8 dome judd", "car8"), ("80 ferrari", "car80")])
    assert [h.item for h in aliased.search("8")] == ["car8", "car80"]
    assert len(aliased) == 2


def test_empty_query_keeps_the_given_order() -> None:
    assert [h.item for h in index().search("", limit=3)] == NAMES[:3]
