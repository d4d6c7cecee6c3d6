"""Command line: run the bot, sync commands, or answer offline."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys

import aiohttp
import discord
from sqlalchemy.engine import URL

from bot import __version__, loop
from bot.core.errors import GridFileError, QueryError, UsageError
from bot.core.loader import GRID_SUFFIXES, SIDECAR, grid_files, load_grids, skipped_why
from bot.core.model import PRACTICE, RACE, Grid
from bot.core.store import GridStore
from bot.core.text import clip
from bot.logs import setup_logging, write_kept
from bot.offline import ask, complete, refusal
from bot.settings import Settings, SettingsError
from bot.storage import Libraries, Limits, default_url, open_libraries, parse_url, redact
from bot.storage.database import connect
from bot.storage.errors import DatabaseError
from bot.storage.migrate import current, head, upgrade
from bot.watch.folders import folder_problems

log = logging.getLogger("gridbot")

NO_TOKEN = """\
Gridbot needs a bot token to connect to Discord, and DISCORD_TOKEN is not set.
  1. Create an application at https://discord.com/developers/applications,
     open "Bot" and press "Reset Token" (README: "Put it on your server").
  2. cp .env.example .env  and put the token after DISCORD_TOKEN=
  3. Run the bot again.
To try the bot offline, with no token and no network:
  .venv/bin/python -m bot ask "/grid 5"
"""

REJECTED = """\
Discord rejected the token in DISCORD_TOKEN (401 Unauthorized).
Reset it in the developer portal (your application → Bot → Reset Token), put the new one in
.env, and run the bot again. The token is not shown here on purpose.
"""

EXIT_REFUSED = 1
"""``ask`` or ``complete`` refused the question (see ``bot.offline.refusal``)."""
EXIT_CONFIG = 2
EXIT_LOGIN = 3
EXIT_NETWORK = 4
EXIT_DATABASE = 5


class Abort(Exception):
    """Stop with a message for the person at the terminal and an exit status."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int) -> int:
    write_kept()  # the command lines kept for later go first
    print(message.rstrip(), file=sys.stderr)
    return code


def load_settings() -> Settings:
    try:
        return Settings.load()
    except SettingsError as error:
        raise Abort(f"Invalid settings: {error} (see .env.example)", EXIT_CONFIG) from None


def load_store(settings: Settings) -> GridStore:
    """The data folder's grids; a bad file, or a default event that names none of them, stops
    with the reason (as ``/settings`` refuses such a default, with the closest names)."""
    try:
        store = GridStore(
            settings.data_dir, settings.default_event, max_bytes=settings.max_file_mib * MIB
        )
    except GridFileError as error:
        raise Abort(f"Cannot start: bad data file: {error}", EXIT_CONFIG) from None
    wanted = settings.default_event
    if wanted:
        try:
            store.catalog.find(wanted)
        except QueryError as error:
            closest = ", ".join(error.suggestions)
            raise Abort(
                f"Invalid settings: GRIDBOT_DEFAULT_EVENT={clip(wanted, 60)!r} matches no grid "
                f"in {settings.data_dir}. Closest: {closest} (see .env.example)",
                EXIT_CONFIG,
            ) from None
    return store


MIB = 1024 * 1024


def limits(settings: Settings) -> Limits:
    """The per-file and per-server limits the settings ask for."""
    return Limits(
        file_bytes=settings.max_file_mib * MIB,
        server_grids=settings.server_max_grids,
        server_bytes=settings.server_max_mib * MIB,
        imports_per_minute=settings.imports_per_minute,
        keep_versions=settings.keep_versions,
        retention_days=settings.retention_days,
        cache_bytes=settings.cache_mib * MIB,
    )


def database_url(settings: Settings) -> URL:
    """``GRIDBOT_DATABASE_URL``, else the SQLite file in the state directory."""
    given = settings.database_url
    text = given.get_secret_value() if given else default_url(settings.state_dir)
    try:
        return parse_url(text)
    except DatabaseError as error:
        raise Abort(f"Invalid settings: {error}", EXIT_CONFIG) from None


async def open_storage(settings: Settings, store: GridStore) -> Libraries:
    """The database, migrated, behind the facade; an unusable one stops with its reason."""
    try:
        return await open_libraries(
            database_url(settings),
            store,
            limits(settings),
            configured_default=settings.default_event,
        )
    except DatabaseError as error:
        raise Abort(f"Cannot start: {error}", EXIT_DATABASE) from None


async def serve(settings: Settings, store: GridStore, token: str, *, sync_only: bool) -> None:
    """Run until Discord closes, or until SIGINT/SIGTERM, then close the gateway with 1000."""
    from bot.app import GridBot
    from bot.sync import sync_commands

    # Pushing the command definitions needs no database.
    libraries = Libraries.offline(store) if sync_only else await open_storage(settings, store)
    bot = GridBot(settings, libraries, sync=not sync_only)
    stop = asyncio.Event()
    running = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Only a flag here: closing from inside the handler races discord.py's own read loop,
        # which would then close with 4000 ("resumable") instead of 1000.
        running.add_signal_handler(sig, stop.set)

    async def sync_once() -> None:
        await bot.login(token)  # loads the cogs (setup_hook) without connecting
        print(await sync_commands(bot, force=True))

    async with bot:
        runner = asyncio.create_task(sync_once() if sync_only else bot.start(token))
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({runner, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            stopping.cancel()
            runner.result()  # a login failure surfaces here
            return
        log.info("stopping: closing the connection to Discord")
        runner.cancel()
        await asyncio.wait({runner}, timeout=2)
    # Leaving ``async with bot`` closes the gateway with code 1000.
    await libraries.close()


def run_db(action: str) -> int:
    """``python -m bot db upgrade``: migrate the database now, under the same lock as a
    start; ``db current``: say which revision it is at."""
    settings = load_settings()
    setup_logging(settings.log_level)
    url = database_url(settings)

    async def go() -> str:
        engine = await connect(url)
        try:
            if action == "upgrade":
                before, after = await upgrade(engine)
                was = "up to date" if before == after else f"was {before or 'empty'}"
                return f"database {redact(url)}: at revision {after} ({was})"
            async with engine.connect() as connection:
                revision = await connection.run_sync(current)
            return f"database {redact(url)}: at revision {revision or 'none (empty)'}; " + (
                f"this Gridbot knows up to {head()}"
            )
        finally:
            await engine.dispose()

    try:
        print(asyncio.run(go()))
    except DatabaseError as error:
        return fail(f"Database: {error}", EXIT_DATABASE)
    return 0


def run(sync_only: bool = False) -> int:
    settings = load_settings()
    setup_logging(settings.log_level)
    if settings.discord_token is None:
        return fail(NO_TOKEN, EXIT_CONFIG)
    store = load_store(settings)
    log.info("loaded %s from %s", store.catalog.default, settings.data_dir)
    if not sync_only and (problems := folder_problems(settings.watch_dirs, settings.data_dir)):
        return fail("Cannot start: " + "; ".join(problems), EXIT_CONFIG)
    event_loop = loop.choose(settings.uvloop)
    log.info("event loop: %s", event_loop.description)
    try:
        loop.run(
            serve(settings, store, settings.discord_token.get_secret_value(), sync_only=sync_only),
            event_loop,
        )
    except discord.LoginFailure:
        return fail(REJECTED, EXIT_LOGIN)
    except discord.PrivilegedIntentsRequired:
        return fail("Discord refused an intent this bot does not ask for.", EXIT_LOGIN)
    except discord.ConnectionClosed as error:
        if error.code == 4004:  # the token was reset while the bot was running
            return fail(REJECTED, EXIT_LOGIN)
        return fail(f"Discord closed the connection ({error.code}): {error.reason}", EXIT_NETWORK)
    except discord.HTTPException as error:
        return fail(f"Discord refused the request: {error.status} {error.text}", EXIT_NETWORK)
    except (aiohttp.ClientError, OSError) as error:
        return fail(f"Cannot reach Discord: {type(error).__name__}: {error}", EXIT_NETWORK)
    return 0


def run_ask(command: str) -> int:
    """Print the answer; a refusal goes to stderr, with exit status 1."""
    store = load_store(load_settings())
    text, refused = ask(store, command)
    if refused:
        return fail(text, EXIT_REFUSED)
    print(text)
    return 0


def run_complete(command: str) -> int:
    store = load_store(load_settings())
    try:
        found = complete(store, command)
    except UsageError as error:
        return fail(refusal(error), EXIT_REFUSED)
    for suggestion in found:
        print(f"{suggestion.name}  ->  {suggestion.value}")
    if not found:
        print("(no suggestions)")
    return 0


def run_check(paths: list[str]) -> int:
    """Validate grid files without Discord: a line per grid, its warnings, then its errors.

    Exit status 1 if any file cannot be served; warnings alone do not fail the check.
    """
    from pathlib import Path

    from bot.core.checks import grid_warnings
    from bot.core.loader import grid_key

    roots = [Path(p) for p in paths] or [load_settings().data_dir]
    checked = errors = warnings = 0

    def error(message: str) -> None:
        nonlocal errors
        errors += 1
        print(f"error: {message}", file=sys.stderr)

    for root in roots:
        if not root.exists():
            error(f"{root}: no such file or directory")
            continue
        files = list(grid_files(root))
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                why = skipped_why(path, root)
                if why and not why.startswith("hidden") and why != SIDECAR:
                    print(f"skipped: {path}: {why}")
        if not files:
            suffixes = ", ".join(f"*{s}" for s in GRID_SUFFIXES)
            error(f"{root}: no grid files ({suffixes}) found")
        seen: dict[str, Path] = {}
        for path in files:
            checked += 1
            key = grid_key(path, root)
            if key in seen:
                error(f"{path}: {seen[key].name} is already the grid {key!r}: rename one")
                continue
            seen[key] = path
            try:
                grids = load_grids(path)
            except GridFileError as problem:
                error(str(problem))
                continue
            for grid in grids:
                print(f"ok: {path}: {_summary(grid)}")
                for warning in grid_warnings(grid):
                    warnings += 1
                    where = f"{path}:{warning.line}" if warning.line else f"{path}"
                    print(f"  warning: {where}: {warning.problem}")
    print(f"checked {_count(checked, 'file')}: {_count(errors, 'error')}, ", end="")
    print(_count(warnings, "warning"))
    return 1 if errors else 0


def _summary(grid: Grid) -> str:
    """``2003 1000 km of Le Mans · Qualifying, 50 cars, pole #8 1:29.533``."""
    from bot.core.times import format_time

    first = grid.pole
    who = f"#{first.number}" if first.number else (first.drivers[0].name if first.drivers else "")
    lap = format_time(first.time) if first.time is not None else "no time"
    if grid.kind == RACE:
        laps = f", {first.laps} laps" if first.laps is not None else ""
        fastest = f", fastest lap {lap}" if first.time is not None else ""
        return f"{grid.meta.title}, {len(grid)} cars, winner {who}{laps}{fastest}"
    word = "fastest" if grid.kind == PRACTICE else "pole"
    return f"{grid.meta.title}, {len(grid)} cars, {word} {who} {lap}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def main(argv: list[str] | None = None) -> int:
    """Run one action; a reader that stops early (``| head -1``) ends it quietly, with 0."""
    try:
        status = _main(argv)
        sys.stdout.flush()  # here, so that a closed pipe is seen here and not at exit
    except BrokenPipeError:
        # What was read was wanted; the rest goes nowhere, as with cat or grep.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        write_kept()  # before a traceback Python prints on the way out
    return status


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Gridbot, a Discord bot for qualifying grids."
    )
    parser.add_argument("--version", action="version", version=f"gridbot {__version__}")
    sub = parser.add_subparsers(dest="action")
    sub.add_parser("run", help="connect to Discord and answer commands (the default)")
    sub.add_parser("sync", help="push the slash command definitions to Discord now, then exit")
    ask_parser = sub.add_parser("ask", help='answer a command offline, e.g. ask "/grid 5"')
    ask_parser.add_argument("command", nargs="+", help='the command, e.g. "/gap 8 14"')
    complete_parser = sub.add_parser(
        "complete", help='show autocomplete for a partly typed command, e.g. complete "/team lis"'
    )
    complete_parser.add_argument("command", nargs="+", help='e.g. "/gap 8 1"')
    check_parser = sub.add_parser("check", help="validate grid files without Discord")
    check_parser.add_argument(
        "paths", nargs="*", help="files or directories (default: the data directory)"
    )
    db_parser = sub.add_parser("db", help="the database: upgrade it now, or show its revision")
    db_parser.add_argument("db_action", choices=("upgrade", "current"))
    args = parser.parse_args(argv)
    try:
        if args.action == "ask":
            return run_ask(" ".join(args.command))
        if args.action == "complete":
            return run_complete(" ".join(args.command))
        if args.action == "check":
            return run_check(args.paths)
        if args.action == "db":
            return run_db(args.db_action)
        return run(sync_only=args.action == "sync")
    except Abort as error:
        return fail(str(error), error.code)
