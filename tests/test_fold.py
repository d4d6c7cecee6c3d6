"""``fold`` skips Unicode decomposition for ASCII text: the answer must not change."""

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
        tables.header_role.cache_clear()
        first = tables.header_role(cell)
        assert tables.header_role(cell) == first == tables.header_role.__wrapped__(cell)
    for cell in ("Ret", "1", "DSQ", "nc", "P1", "?"):
        assert tables.status_of(cell) == tables.status_of.__wrapped__(cell)
