"""Typed settings, read from the environment and ``.env``, with no dependency beyond Python.

Precedence, highest first: values passed to :meth:`Settings.load`, the environment, ``.env``
in the working directory, the defaults. (pydantic-settings did the same job for 10.7 MiB of
resident memory and 58 ms of start-up; see BENCHMARKS.md.)
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal, NamedTuple

from bot.watch.folders import POLLING, Polling, WatchDir, parse_watch_dirs

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
LOG_LEVELS: tuple[LogLevel, ...] = ("DEBUG", "INFO", "WARNING", "ERROR")


class Secret:
    """A value that never shows itself in ``repr``, ``str``, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        """The value itself: call only where it is used (the client's start)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class SettingsError(ValueError):
    """Settings that cannot be used; ``problems`` names each variable and what is wrong."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _text(raw: str) -> str:
    return raw.strip()


def _secret(raw: str) -> Secret:
    return Secret(raw.strip())


def _snowflake(raw: str) -> int:
    if not raw.strip().isdigit():
        raise ValueError(f"must be a server id (digits only), not {raw.strip()!r}")
    return int(raw.strip())


def _level(raw: str) -> LogLevel:
    level = raw.strip().upper()
    if level not in LOG_LEVELS:
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}, not {raw.strip()!r}")
    return level


def _path(raw: str) -> Path:
    return Path(raw.strip())


def _count(raw: str) -> int:
    text = raw.strip()
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def _shard_ids(raw: str) -> tuple[int, ...]:
    """``0-3``, ``0,1`` or a mix (``0-1,4``): shard numbers, each once, in rising order."""
    text = raw.strip()
    expected = f"shard numbers like 0-3 or 0,1, not {text!r}"
    ids: list[int] = []
    for part in text.split(","):
        first, dash, last = (piece.strip() for piece in part.partition("-"))
        if not first.isdigit() or (dash and not last.isdigit()):
            raise ValueError(f"must be {expected}")
        low, high = int(first), int(last) if dash else int(first)
        if high < low:
            raise ValueError(f"must be {expected} ({part.strip()} runs backwards)")
        ids.extend(range(low, high + 1))
    if ids != sorted(set(ids)):
        raise ValueError(f"must be {expected} (each shard once, in rising order)")
    return tuple(ids)


class Address(NamedTuple):
    """Where a server listens: a host (name or IP address) and a port (0: any free one)."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def _address(raw: str) -> Address:
    text = raw.strip()
    host, colon, port = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not colon or not host or not port.isdigit() or int(port) > 65535 or " " in host:
        raise ValueError(f"must be host:port, such as 127.0.0.1:9108, not {text!r}")
    return Address(host, int(port))


def _debounce(raw: str) -> float:
    text = raw.strip()
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0.05 <= seconds <= 60:  # also refuses nan and inf
        raise ValueError(f"must be seconds from 0.05 to 60, such as 1 or 0.5, not {text!r}")
    return seconds


SWITCH = {"on": True, "off": False, "true": True, "false": False, "1": True, "0": False}


def _switch(raw: str) -> bool:
    text = raw.strip().lower()
    if text not in SWITCH:
        raise ValueError(f"must be on or off, not {raw.strip()!r}")
    return SWITCH[text]


def _polling(raw: str) -> Polling:
    text = raw.strip().lower()
    for choice in POLLING:
        if text == choice:
            return choice
    raise ValueError(f"must be one of {', '.join(POLLING)}, not {raw.strip()!r}")


@dataclass
class Settings:
    """Every setting the bot reads; ``.env.example`` documents each one."""

    discord_token: Secret | None = None
    """``DISCORD_TOKEN``: the bot token; unwrapped only where the client starts."""
    data_dir: Path = Path("data")
    """``GRIDBOT_DATA_DIR``: where the grid files live."""
    dev_guild_id: int | None = None
    """``GRIDBOT_DEV_GUILD_ID``: a server to sync commands to at once (no global sync)."""
    default_event: str | None = None
    """``GRIDBOT_DEFAULT_EVENT``: the event answered when a command names none."""
    state_dir: Path = Path(".state")
    """``GRIDBOT_STATE_DIR``: where the hash of the last global sync is kept."""
    log_level: LogLevel = "INFO"
    """``GRIDBOT_LOG_LEVEL``: DEBUG, INFO, WARNING or ERROR."""
    database_url: Secret | None = None
    """``GRIDBOT_DATABASE_URL``: the database; SQLite in the state directory when unset. A
    secret, since it may hold a password."""
    max_file_mib: int = 8
    """``GRIDBOT_MAX_FILE_MIB``: the largest grid file, anywhere."""
    server_max_grids: int = 200
    """``GRIDBOT_SERVER_MAX_GRIDS``: grids in service per server."""
    server_max_mib: int = 20
    """``GRIDBOT_SERVER_MAX_MIB``: current sources per server (old versions do not count)."""
    imports_per_minute: int = 10
    """``GRIDBOT_IMPORTS_PER_MINUTE``: ``/import``s per server per minute."""
    keep_versions: int = 10
    """``GRIDBOT_KEEP_VERSIONS``: versions kept of each file."""
    retention_days: int = 30
    """``GRIDBOT_RETENTION_DAYS``: how long a server's data outlives the bot leaving it."""
    cache_mib: int = 64
    """``GRIDBOT_CACHE_MIB``: memory for servers' parsed grids, least recently used out."""
    shard_count: int | None = None
    """``GRIDBOT_SHARD_COUNT``: shards across every process; unset, Discord picks."""
    shard_ids: tuple[int, ...] | None = None
    """``GRIDBOT_SHARD_IDS``: the shards this process runs; unset, all of them."""
    metrics_addr: Address | None = None
    """``GRIDBOT_METRICS_ADDR``: where ``/metrics`` and ``/healthz`` are served; unset, nowhere."""
    watch_dirs: tuple[WatchDir, ...] = ()
    """``GRIDBOT_WATCH_DIRS``: results folders watched, each feeding the operator's library or
    one server's; unset, none."""
    watch_debounce: float = 1.0
    """``GRIDBOT_WATCH_DEBOUNCE``: seconds a file must stay unchanged before it is read."""
    watch_polling: Polling = "auto"
    """``GRIDBOT_WATCH_POLLING``: ``auto`` (poll network file systems), ``on`` or ``off``."""
    uvloop: bool = True
    """``GRIDBOT_UVLOOP``: ``on`` runs the bot on uvloop where it is installed, ``off`` on
    asyncio's own loop."""

    @classmethod
    def load(
        cls,
        overrides: Mapping[str, object] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        env_file: Path | None = Path(".env"),
    ) -> Settings:
        """Settings from ``overrides`` (by variable name; ``None`` means unset), the
        environment and ``env_file``; a :class:`SettingsError` names every bad variable."""
        sources: dict[str, str] = {}
        if env_file is not None and env_file.is_file():
            try:
                sources.update(read_env_file(env_file))
            except (OSError, UnicodeDecodeError) as error:
                raise SettingsError([f"{env_file} cannot be read: {error}"]) from None
        sources.update(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        problems = []
        for spec in fields(cls):
            name, parse = VARIABLES[spec.name]
            if overrides is not None and name in overrides:
                given = overrides[name]
                if given is None or not isinstance(given, str):
                    if given is not None:
                        values[spec.name] = given
                    continue
                raw = given
            elif name in sources:
                raw = sources[name]
            else:
                continue
            if not raw.strip():  # ``NAME=`` as copied from .env.example: the default
                continue
            try:
                parsed = parse(raw)
            except ValueError as error:
                problems.append(f"{name} {error}")
                continue
            if parsed is not None:
                values[spec.name] = parsed
        if not problems:
            problems = _disagreements(values)
        if problems:
            raise SettingsError(problems)
        return cls(**values)  # type: ignore[arg-type]  # values parsed per field: types vary


def _disagreements(values: Mapping[str, object]) -> list[str]:
    """Settings each valid alone that cannot go together: the shard settings."""
    count, ids = values.get("shard_count"), values.get("shard_ids")
    if count is None and ids is None:
        return []
    if count is None:
        return [
            "GRIDBOT_SHARD_IDS needs GRIDBOT_SHARD_COUNT, the number of shards across every process"
        ]
    if isinstance(count, int) and isinstance(ids, tuple) and ids and ids[-1] >= count:
        return [
            f"GRIDBOT_SHARD_IDS names shard {ids[-1]}, but with GRIDBOT_SHARD_COUNT={count} "
            f"the shards are 0-{count - 1}"
        ]
    url = values.get("database_url")
    scheme = url.get_secret_value().partition(":")[0] if isinstance(url, Secret) else "sqlite"
    if scheme.partition("+")[0].strip().lower() == "sqlite":
        given = [name for name, value in (("COUNT", count), ("IDS", ids)) if value is not None]
        return [
            " and ".join(f"GRIDBOT_SHARD_{name}" for name in given)
            + ": sharding needs PostgreSQL in GRIDBOT_DATABASE_URL (postgresql://...), as "
            "SQLite serves one process; with no shard settings one process runs every shard"
        ]
    return []


VARIABLES: dict[str, tuple[str, Callable[[str], object]]] = {
    "discord_token": ("DISCORD_TOKEN", _secret),
    "data_dir": ("GRIDBOT_DATA_DIR", _path),
    "dev_guild_id": ("GRIDBOT_DEV_GUILD_ID", _snowflake),
    "default_event": ("GRIDBOT_DEFAULT_EVENT", _text),
    "state_dir": ("GRIDBOT_STATE_DIR", _path),
    "log_level": ("GRIDBOT_LOG_LEVEL", _level),
    "database_url": ("GRIDBOT_DATABASE_URL", _secret),
    "max_file_mib": ("GRIDBOT_MAX_FILE_MIB", _count),
    "server_max_grids": ("GRIDBOT_SERVER_MAX_GRIDS", _count),
    "server_max_mib": ("GRIDBOT_SERVER_MAX_MIB", _count),
    "imports_per_minute": ("GRIDBOT_IMPORTS_PER_MINUTE", _count),
    "keep_versions": ("GRIDBOT_KEEP_VERSIONS", _count),
    "retention_days": ("GRIDBOT_RETENTION_DAYS", _count),
    "cache_mib": ("GRIDBOT_CACHE_MIB", _count),
    "shard_count": ("GRIDBOT_SHARD_COUNT", _count),
    "shard_ids": ("GRIDBOT_SHARD_IDS", _shard_ids),
    "metrics_addr": ("GRIDBOT_METRICS_ADDR", _address),
    "watch_dirs": ("GRIDBOT_WATCH_DIRS", parse_watch_dirs),
    "watch_debounce": ("GRIDBOT_WATCH_DEBOUNCE", _debounce),
    "watch_polling": ("GRIDBOT_WATCH_POLLING", _polling),
    "uvloop": ("GRIDBOT_UVLOOP", _switch),
}
"""Each setting's environment variable and how its text is read."""


_EXPORT = re.compile(r"^export\s+")
_COMMENT = re.compile(r"(?:^|\s)#")


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines, as python-dotenv reads the common cases: blank lines and ``#``
    comments skipped, an optional ``export``, keys in any case, a value in matching single or
    double quotes kept as quoted (a comment may follow), an unquoted value ending at a ``#``
    that starts a word."""
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        text = _EXPORT.sub("", line.strip())
        if not text or text.startswith("#") or "=" not in text:
            continue
        key, _, value = text.partition("=")
        value = value.strip()
        if value[:1] in ("'", '"') and value.find(value[0], 1) > 0:
            value = value[1 : value.find(value[0], 1)]
        else:
            value = _COMMENT.split(value, maxsplit=1)[0].rstrip()
        found[key.strip().upper()] = value
    return found
