"""``fold`` skips Unicode decomposition for ASCII text, and header and status cells' answers
are kept when short: the answers must not change."""

from __future__ import annotations

import string
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.core.readers import tables
from bot.core.text import _NON_WORD, fold


def folded_the_long_way(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped.casefold()).split())


@given(st.text(alphabet=string.printable))
def test_ascii_folds_as_any_text_does(text: str) -> None:
    assert fold(text) == folded_the_long_way(text)


@given(st.text())
def test_any_text_folds_as_before(text: str) -> None:
    assert fold(text) == folded_the_long_way(text)


def test_accents_still_fold() -> None:
    assert fold("Noël del-Bello") == "noel del bello"
    assert fold("Stéphane Ortelli") == "stephane ortelli"


def test_kept_answers_are_the_answers() -> None:
    for cell in ("Pos.", "Nº", "Time[1]", "Pilote(s)", "#", "Driver", "nonsense"):
        assert tables.header_role(cell) == tables.header_role(cell) == tables._header_role(cell)
    for cell in ("Ret", "1", "DSQ", "nc", "P1", "?"):
        assert tables.status_of(cell) == tables.status_of(cell) == tables._status(cell)


def test_a_long_cell_is_answered_but_not_kept() -> None:
    long_cell = "Driver " + "x" * 100_000
    kept = tables._header_roles.cache_info().currsize, tables._statuses.cache_info().currsize
    assert tables.header_role(long_cell) is None
    assert tables.status_of(long_cell) is None
    assert tables.header_role("Driver" + " " * (tables.KEPT_CELL - 6)) == tables.DRIVERS
    after = tables._header_roles.cache_info().currsize, tables._statuses.cache_info().currsize
    assert after[1] == kept[1]
    assert after[0] <= kept[0] + 1  # the short one only
