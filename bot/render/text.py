"""Render a card as plain text for the terminal (the offline mode)."""

from __future__ import annotations

import re

from bot.render.cards import Card

_BOLD = re.compile(r"(?<!\\)\*\*(.+?)(?<!\\)\*\*")
_ITALIC = re.compile(r"(?<![\\*])\*(?!\*)(.+?)(?<!\\)\*")
_ESCAPED = re.compile(r"\\(.)")


def plain(markdown: str) -> str:
    """Strip the Markdown a card uses: bold, italics, escapes and mention guards."""
    text = _BOLD.sub(r"\1", markdown)
    text = _ITALIC.sub(r"\1", text)
    return _ESCAPED.sub(r"\1", text).replace("\u200b", "")


def to_text(card: Card) -> str:
    """The card as lines of text: title, description, fields, notes, footer."""
    lines = [plain(card.title), "=" * len(plain(card.title))]
    if card.description:
        lines.append(plain(card.description))
    for item in card.fields:
        value = plain(item.value)
        if "\n" in value:
            lines.append(f"{plain(item.name)}:\n    " + value.replace("\n", "\n    "))
        else:
            lines.append(f"{plain(item.name)}: {value}")
    lines.extend(plain(note) for note in card.notes)
    if card.footer:
        lines.append(f"— {card.footer}")
    return "\n".join(lines)
