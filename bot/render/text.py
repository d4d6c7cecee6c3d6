"""Render a card as plain text for the terminal (the offline mode)."""

from __future__ import annotations

import re

from bot.render.cards import Card

_BOLD = re.compile(r"(?<!\\)\*\*(.+?)(?<!\\)\*\*")
_ITALIC = re.compile(r"(?<![\\*])\*(?!\*)(.+?)(?<!\\)\*")
_ESCAPED = re.compile(r"\\(.)")
_FENCE = re.compile(r"^```\w*\n?", re.MULTILINE)
_CODE = re.compile(r"(?<!\\)`([^`\n]+?)(?<!\\)`")


def plain(markdown: str) -> str:
    """Strip the Markdown a card uses: bold, italics, escapes and mention guards."""
    if "```" in markdown:  # a code block is shown as it is, without its fences
        return _FENCE.sub("", markdown).rstrip("\n")
    text = _CODE.sub(r"\1", markdown)
    text = _BOLD.sub(r"\1", text)
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
