"""Deliberate command sync: a development guild at once, global only when definitions change."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from bot.app import GridBot

log = logging.getLogger("gridbot.sync")


def definitions_hash(bot: GridBot) -> str:
    """A stable hash of every global command's definition, as it would be sent to Discord."""
    payload = sorted(
        (command.to_dict(bot.tree) for command in bot.tree.get_commands()),
        key=lambda c: str(c["name"]),
    )
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def hash_file(state_dir: Path, application_id: int | None) -> Path:
    return state_dir / f"commands-{application_id}.sha256"


def last_synced(marker: Path) -> str:
    """The hash remembered by the last global sync; ``""`` when there is none, or when it
    cannot be read (then the commands are synced to be safe)."""
    try:
        return marker.read_bytes().decode("ascii").strip() if marker.is_file() else ""
    except OSError as error:
        problem = error.strerror or type(error).__name__
    except UnicodeDecodeError:
        problem = "not a hash: it holds bytes that are not text"
    log.warning("cannot read %s (%s): syncing to be safe", marker, problem)
    return ""


async def sync_commands(bot: GridBot, *, force: bool = False) -> str:
    """Sync as configured; returns what was done, for the log."""
    settings = bot.settings
    if settings.dev_guild_id is not None:
        guild = discord.Object(id=settings.dev_guild_id)
        bot.tree.copy_global_to(guild=guild)
        synced = await bot.tree.sync(guild=guild)
        return f"synced {len(synced)} commands to development guild {settings.dev_guild_id}"
    current = definitions_hash(bot)
    marker = hash_file(settings.state_dir, bot.application_id)
    if not force and last_synced(marker) == current:
        return "global commands unchanged since the last sync; not syncing"
    synced = await bot.tree.sync()
    done = f"synced {len(synced)} global commands (Discord may take a while to show changes)"
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(current + "\n")
    except OSError as error:
        return f"{done}; could not remember it in {marker} ({error.strerror}): will sync again"
    return done
