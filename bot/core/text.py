"""Text folding for forgiving lookups: case, accents and punctuation do not matter."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+")


def clip(text: str, limit: int) -> str:
    """Keep text within ``limit`` characters, marking a cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fold(text: str) -> str:
    """Fold a name for matching: ``"Noël del-Bello"`` → ``"noel del bello"``."""
    if text.isascii():  # nothing to decompose: most names, every header, every number
        stripped = text
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped.casefold()).split())
