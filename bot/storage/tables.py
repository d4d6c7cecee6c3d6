"""The tables, as SQLAlchemy Core metadata. Every table but ``servers`` rows belong to one
server through ``guild_id``; :mod:`bot.storage.scope` filters them by it, in one place.

Changing a table means a new migration in ``migrations/versions`` (``alembic revision``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

servers = Table(
    "servers",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("default_event", String(200), nullable=True),
    Column("public_answers", Boolean, nullable=False, default=True),
    Column("announce_channel_id", BigInteger, nullable=True),
    # When the bot was removed from the server; its rows are purged after the retention.
    Column("left_at", DateTime(timezone=True), nullable=True),
    # Migration 0003: since when the channel above is set (a file older than that, found when
    # the watcher starts, is not announced there), and why the bot cannot post in it, if it
    # cannot (shown by /settings; cleared by a post that succeeds or by another channel).
    Column("announce_since", DateTime(timezone=True), nullable=True),
    Column("announce_problem", String(300), nullable=True),
)

files = Table(
    "files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("guild_id", BigInteger, nullable=False),
    # The file's name without suffix: what ``event`` options and ``/history`` name it by.
    Column("key", String(100), nullable=False),
    Column("current_version", Integer, nullable=False),
    Column("removed", Boolean, nullable=False, default=False),
    UniqueConstraint("guild_id", "key"),
)

versions = Table(
    "file_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("file_id", Integer, ForeignKey("files.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("filename", String(100), nullable=False),
    Column("uploader_id", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("title", String(300), nullable=False),
    # How many grids (sessions) the file holds; the per-server limit counts grids.
    Column("grids", Integer, nullable=False),
    # What the catalog needs without parsing (migration 0002), and the parser that read it
    # (bot.core.loader.PARSER_VERSION): a file read by another parser is read again on load.
    Column("year", Integer, nullable=True),
    Column("date", String(40), nullable=True),
    Column("cars", Integer, nullable=True),
    Column("parser", Integer, nullable=True),
    # The source bytes as received: parsed again on load, so the file stays the truth.
    Column("data", LargeBinary, nullable=False),
    UniqueConstraint("file_id", "version"),
    Index("ix_file_versions_guild_id", "guild_id"),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("actor_id", BigInteger, nullable=False),
    Column("action", String(20), nullable=False),
    Column("target", String(200), nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_audit_guild_action_at", "guild_id", "action", "at"),
)

announcements = Table(
    "announcements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("channel_id", BigInteger, nullable=False),
    # The session announced: its grid's digest (one session of one source, as served), and
    # the key and library it is served under, to find it again after a restart.
    Column("digest", String(64), nullable=False),
    Column("grid_key", String(200), nullable=False),
    Column("library", String(10), nullable=False),
    # "claimed" before the post (posted again after a crash or a rate limit, with the same
    # nonce), then "posted" or "failed".
    Column("state", String(10), nullable=False),
    Column("message_id", BigInteger, nullable=True),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("done_at", DateTime(timezone=True), nullable=True),
    Column("detail", String(300), nullable=False, default=""),
    # One post per session and channel, across restarts and processes.
    UniqueConstraint("guild_id", "channel_id", "digest"),
    Index("ix_announcements_state", "state"),
)

SERVER_OWNED = (files, versions, audit, announcements)
"""Tables whose every row belongs to one server (``servers`` is keyed by it)."""
