"""Watched folders: ``GRIDBOT_WATCH_DIRS`` read, checked, and which of them need polling.

The syntax (README, "Results that announce themselves"): folders separated by ``;``, each
either a path, which feeds Gridbot's own library (the operator's), or ``<server id>=<path>``,
which feeds that one server's library::

    GRIDBOT_WATCH_DIRS=/srv/acc/results;123456789012345678=/srv/league/results
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

SEPARATOR = ";"
"""Between two folders of ``GRIDBOT_WATCH_DIRS``: never part of a path people write, on any
system (``:`` is, in ``C:\\``)."""
_MAPPED = re.compile(r"^([^/\\=]*)=(.*)$", re.DOTALL)
"""``<server id>=<path>``: an ``=`` before any path separator."""

Polling = Literal["auto", "on", "off"]
POLLING: tuple[Polling, ...] = ("auto", "on", "off")

NETWORK_FILE_SYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "9p",
        "afs",
        "ceph",
        "glusterfs",
        "fuse.sshfs",
        "fuse.rclone",
        "fuse.s3fs",
        "fuse.gcsfuse",
        "fuse.glusterfs",
        "vboxsf",
        "vmhgfs",
        "fuse.vmhgfs-fuse",
        "prl_fs",
        "davfs",
        "fuse.davfs2",
    }
)
"""File systems whose changes made on another machine (the game server, a host sharing a
folder with a VM) send this machine no events: watched by polling when ``auto``."""


@dataclass(frozen=True, slots=True)
class WatchDir:
    """One watched folder, and whose library it feeds: a server's, or (``None``) the
    operator's."""

    path: Path
    guild_id: int | None = None

    def __str__(self) -> str:
        return str(self.path) if self.guild_id is None else f"{self.guild_id}={self.path}"

    @property
    def feeds(self) -> str:
        """Whose library, in words."""
        return "Gridbot's library" if self.guild_id is None else f"server {self.guild_id}"


def parse_watch_dirs(raw: str) -> tuple[WatchDir, ...]:
    """The folders of ``GRIDBOT_WATCH_DIRS``; a ``ValueError`` says what is wrong (the
    message follows the variable's name)."""
    found: list[WatchDir] = []
    for part in raw.split(SEPARATOR):
        text = part.strip()
        if not text:
            continue
        guild_id = None
        mapped = _MAPPED.match(text)
        if mapped:
            head, text = mapped[1].strip(), mapped[2].strip()
            if not head.isdigit() or int(head) <= 0:
                raise ValueError(
                    f"must map a server by its id, as 123456789012345678=/path, "
                    f"not {part.strip()!r}"
                )
            guild_id = int(head)
            if not text:
                raise ValueError(f"maps server {guild_id} to no folder in {part.strip()!r}")
        found.append(WatchDir(Path(text).expanduser(), guild_id))
    if not found:
        raise ValueError(
            "names no folder: give one or more folders separated by ';', each a path "
            "(Gridbot's library) or <server id>=<path> (that server's library)"
        )
    return _distinct(found)


def _distinct(dirs: list[WatchDir]) -> tuple[WatchDir, ...]:
    """No folder twice, and none inside another: a file would feed two libraries."""
    for index, one in enumerate(dirs):
        for other in dirs[index + 1 :]:
            a, b = _absolute(one.path), _absolute(other.path)
            if a == b:
                raise ValueError(f"names the folder {one.path} twice ({one} and {other})")
            if a in b.parents or b in a.parents:
                inner, outer = (other, one) if a in b.parents else (one, other)
                raise ValueError(
                    f"names {inner.path} inside {outer.path}: a file there would feed both "
                    f"{inner.feeds} and {outer.feeds}; watch folders side by side"
                )
    return tuple(dirs)


def _absolute(path: Path) -> Path:
    """The path from the root, with ``..`` and links resolved (as the watcher sees it)."""
    return path.expanduser().resolve()


def folder_problems(dirs: Iterable[WatchDir], data_dir: Path) -> list[str]:
    """What keeps the folders from being watched, checked at start: each must be a folder,
    readable, and apart from the data folder (which is read whole, all or nothing, on every
    start and /reload, while a bad file in a watched folder is only logged)."""
    problems = []
    data = _absolute(data_dir)
    for folder in dirs:
        path = _absolute(folder.path)
        if not path.is_dir():
            what = "is not a folder" if path.exists() else "does not exist"
            problems.append(f"GRIDBOT_WATCH_DIRS: {folder.path} {what}")
        elif not os.access(path, os.R_OK | os.X_OK):
            problems.append(f"GRIDBOT_WATCH_DIRS: {folder.path} cannot be read by this user")
        elif path == data or data in path.parents or path in data.parents:
            problems.append(
                f"GRIDBOT_WATCH_DIRS: {folder.path} overlaps the data folder {data_dir}; "
                "watch a folder of its own"
            )
    return problems


def file_system_of(path: Path, mounts: str | None = None) -> str:
    """The type of the file system ``path`` lies on (``ext4``, ``nfs4``…), from the mount
    table (``/proc/self/mounts``); ``""`` when it cannot be told."""
    if mounts is None:
        try:
            mounts = Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
    target = _absolute(path)
    best, kind = -1, ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = Path(fields[1].replace("\\040", " "))
        if (point == target or point in target.parents) and len(point.parts) > best:
            best, kind = len(point.parts), fields[2]
    return kind


def needs_polling(path: Path, setting: Polling, mounts: str | None = None) -> bool:
    """Whether to watch ``path`` by polling: ``on``, ``off``, or for ``auto`` when it lies on
    a network or shared file system."""
    if setting != "auto":
        return setting == "on"
    return file_system_of(path, mounts) in NETWORK_FILE_SYSTEMS
