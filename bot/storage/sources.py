"""A server's files and their versions: the rows behind ``/import``, ``/remove``,
``/history`` and ``/restore``. Every query goes through the server's :class:`ServerScope`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, func
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.lazy import Summary
from bot.core.library import OwnFile, VersionInfo
from bot.core.loader import PARSER_VERSION
from bot.storage.scope import ServerScope
from bot.storage.tables import files, versions


@dataclass(frozen=True, slots=True)
class Source:
    """The version of a file that is in service, with its bytes."""

    key: str
    filename: str
    version: int
    data: bytes
    summary: Summary | None
    """What the catalog needs, when the current parser read this version and said so, and
    it is a file of one session (a file of several is parsed whenever the server is read)."""


@dataclass(frozen=True, slots=True)
class NewVersion:
    """What an import stores."""

    key: str
    filename: str
    uploader_id: int
    created_at: datetime
    data: bytes
    sha256: str
    grids: int
    summary: Summary
    parser: int


def _current() -> Any:
    return and_(versions.c.file_id == files.c.id, versions.c.version == files.c.current_version)


async def read_all(
    connection: AsyncConnection, scope: ServerScope
) -> tuple[list[Source], list[OwnFile]]:
    """In one query: the files in service, with their bytes, and every file (removed ones
    too) without."""
    bytes_if_serving = case((files.c.removed.is_(False), versions.c.data), else_=None)
    query = (
        scope.select(
            files,
            files.c.key,
            files.c.removed,
            versions.c.version,
            versions.c.filename,
            versions.c.title,
            versions.c.created_at,
            versions.c.year,
            versions.c.date,
            versions.c.cars,
            versions.c.parser,
            versions.c.grids,
            bytes_if_serving.label("data"),
        )
        .join(versions, _current())
        .order_by(files.c.key)
    )
    serving: list[Source] = []
    every: list[OwnFile] = []
    for row in await connection.execute(query):
        since = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
        every.append(OwnFile(row.key, row.title, row.version, row.removed, since))
        if not row.removed:
            about = None
            if row.parser == PARSER_VERSION and row.cars is not None and row.grids == 1:
                about = Summary(row.title, row.year, row.date or "", row.cars)
            serving.append(Source(row.key, row.filename, row.version, row.data, about))
    return serving, every


async def usage(
    connection: AsyncConnection, scope: ServerScope, excluding: int | None = None
) -> tuple[int, int]:
    """Grids and bytes in service: what the per-server limits count (old versions do not),
    leaving out the file ``excluding`` (one about to be replaced) if given."""
    query = (
        scope.select(
            files,
            func.coalesce(func.sum(versions.c.grids), 0),
            func.coalesce(func.sum(versions.c.size), 0),
        )
        .join(versions, _current())
        .where(files.c.removed.is_(False))
    )
    if excluding is not None:
        query = query.where(files.c.id != excluding)
    grids, size = (await connection.execute(query)).one()
    return int(grids), int(size)


async def find_file(connection: AsyncConnection, scope: ServerScope, key: str) -> Any:
    """The ``files`` row of ``key`` (id, current_version, removed), or ``None``."""
    query = scope.select(files).where(files.c.key == key)
    return (await connection.execute(query)).one_or_none()


async def add_version(
    connection: AsyncConnection, scope: ServerScope, new: NewVersion, existing: Any
) -> int:
    """Store ``new`` as the next version of its file (creating the file) and serve it."""
    if existing is None:
        inserted = await connection.execute(
            scope.insert(files).values(key=new.key, current_version=1, removed=False)
        )
        key = inserted.inserted_primary_key
        assert key is not None
        file_id, number = key[0], 1
    else:
        file_id = existing.id
        latest = await connection.execute(
            scope.select(versions, func.max(versions.c.version)).where(
                versions.c.file_id == file_id
            )
        )
        number = int(latest.scalar_one() or 0) + 1
        await connection.execute(
            scope.update(files)
            .where(files.c.id == file_id)
            .values(current_version=number, removed=False)
        )
    await connection.execute(
        scope.insert(versions).values(
            file_id=file_id,
            version=number,
            filename=new.filename,
            uploader_id=new.uploader_id,
            created_at=new.created_at,
            size=len(new.data),
            sha256=new.sha256,
            title=new.summary.title[:300],
            grids=new.grids,
            data=new.data,
            year=new.summary.year,
            date=new.summary.date[:40],
            cars=new.summary.cars,
            parser=new.parser,
        )
    )
    return number


async def prune(connection: AsyncConnection, scope: ServerScope, file_id: int, keep: int) -> int:
    """Delete all but the newest ``keep`` versions of a file (never the one in service)."""
    numbers = (
        await connection.execute(
            scope.select(versions, versions.c.version)
            .where(versions.c.file_id == file_id)
            .order_by(versions.c.version.desc())
        )
    ).scalars()
    current = (
        await connection.execute(
            scope.select(files, files.c.current_version).where(files.c.id == file_id)
        )
    ).scalar_one()
    old = [n for n in list(numbers)[keep:] if n != current]
    if old:
        await connection.execute(
            scope.delete(versions).where(versions.c.file_id == file_id, versions.c.version.in_(old))
        )
    return len(old)


async def set_state(
    connection: AsyncConnection, scope: ServerScope, file_id: int, *, version: int, removed: bool
) -> None:
    await connection.execute(
        scope.update(files)
        .where(files.c.id == file_id)
        .values(current_version=version, removed=removed)
    )


async def history(connection: AsyncConnection, scope: ServerScope, file: Any) -> list[VersionInfo]:
    """A file's versions, newest first."""
    rows = await connection.execute(
        scope.select(
            versions,
            versions.c.version,
            versions.c.filename,
            versions.c.uploader_id,
            versions.c.created_at,
            versions.c.size,
            versions.c.sha256,
            versions.c.title,
        )
        .where(versions.c.file_id == file.id)
        .order_by(versions.c.version.desc())
    )
    return [
        VersionInfo(
            version=row.version,
            filename=row.filename,
            uploader_id=row.uploader_id,
            created_at=row.created_at,
            size=row.size,
            sha256=row.sha256,
            title=row.title,
            current=row.version == file.current_version and not file.removed,
        )
        for row in rows
    ]


async def version_data(
    connection: AsyncConnection, scope: ServerScope, file_id: int, version: int
) -> tuple[str, bytes] | None:
    """A stored version's file name and bytes."""
    row = (
        await connection.execute(
            scope.select(versions, versions.c.filename, versions.c.data).where(
                versions.c.file_id == file_id, versions.c.version == version
            )
        )
    ).one_or_none()
    return (row.filename, row.data) if row is not None else None
