"""Renderers for a server's library: ``/import``, ``/remove``, ``/restore``, ``/history`` and
``/settings``. Registered with :func:`~bot.render.cards.card_for`."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.answers import HistoryAnswer, LibraryChangeAnswer, SettingsAnswer
from bot.core.loader import mebibytes
from bot.core.text import clip
from bot.render.cards import LIMITS, Card, Field, card_for, escape, join_lines

SHA_SHOWN = 12
"""Hex digits of a SHA-256 shown: enough to tell versions apart at a glance."""


def _when(moment: datetime) -> str:
    """A moment as Discord shows it, in each reader's own time zone."""
    if moment.tzinfo is None:  # SQLite hands back what it was given, without the zone
        moment = moment.replace(tzinfo=UTC)
    return f"<t:{int(moment.timestamp())}:f>"


@card_for.register
def _change(answer: LibraryChangeAnswer) -> Card:
    lines = [f"**{escape(answer.title)}** · event: {escape(answer.key)} · v{answer.version}"]
    if answer.filename:
        lines.append(
            f"{escape(answer.filename)} · {mebibytes(answer.size)} · "
            f"SHA-256 {answer.sha256[:SHA_SHOWN]}"
        )
    if answer.action in ("Imported", "Replaced", "Restored"):
        lines.append("Served in this server from now on; other servers do not see it.")
    if answer.action == "Replaced":
        lines.append("The previous version is kept: /history lists it, /restore brings it back.")
    if answer.note:
        lines.append(escape(answer.note))
    return Card(
        title=f"{answer.action}: {clip(answer.title, 200)}",
        description="\n".join(lines),
        footer=f"This server has {answer.serving} grid(s) of its own in service",
        ephemeral=True,
    )


@card_for.register
def _history(answer: HistoryAnswer) -> Card:
    rows = []
    for version in answer.versions:
        mark = " · **in service**" if version.current else ""
        rows.append(
            f"**v{version.version}**{mark} · {_when(version.created_at)} · "
            f"<@{version.uploader_id}> · {escape(version.filename)} · "
            f"{mebibytes(version.size)} · `{version.sha256[:SHA_SHOWN]}`"
        )
    state = "removed: /restore brings it back" if answer.removed else "in service"
    notes = [f"event: {escape(answer.key)} · {state}"]
    if answer.unavailable:
        notes.append(f"⚠ cannot be served today: {escape(clip(answer.unavailable, 300))}")
    return Card(
        title=clip(f"History of {answer.title}", LIMITS["title"]),
        description="\n".join(notes),
        fields=(Field(f"Versions ({len(answer.versions)})", join_lines(rows)),),
        footer=f"The last {answer.keep} versions of each file are kept",
        ephemeral=True,
    )


@card_for.register
def _settings(answer: SettingsAnswer) -> Card:
    settings = answer.settings
    default = escape(answer.default_title)
    if answer.missing_default:
        chosen = escape(settings.default_event or "")
        default_text = (
            f"{chosen} is set, but no grid this server sees matches it any more (removed?). "
            f"Answering with {answer.default_reason}: {default}"
        )
    else:
        default_text = f"{default} ({answer.default_reason})"
    channel = f"<#{settings.announce_channel_id}>" if settings.announce_channel_id else "none (off)"
    if settings.announce_channel_id and settings.announce_problem:
        channel += (
            f"\n⚠ The bot cannot post there: {escape(clip(settings.announce_problem, 400))}. "
            "Give it View Channel, Send Messages, Embed Links and Attach Files in that "
            "channel (a new result tries again), or choose another channel"
        )
    fields = (
        Field("Default event", default_text),
        Field(
            "Answers",
            "public" if settings.public_answers else "private: only whoever asked sees them",
            inline=True,
        ),
        Field("Announcements", channel, inline=not settings.announce_problem),
    )
    changed = "Changed: " + "; ".join(escape(c) for c in answer.changed) if answer.changed else ""
    return Card(
        title="Settings of this server",
        description=changed
        or "Change one with /settings default_event:, answers: or announcements:.",
        fields=fields,
        ephemeral=True,
    )
