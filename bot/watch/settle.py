"""Files wait until they stop changing: a results file is read only once it is complete.

A file is complete once its size and modification time have stayed the same for ``quiet``
seconds, counted from the last change seen (an event, or a look at the file that found it
changed). A writer that pauses longer than that in the middle of a file should write it under
another name (a dot-file, or another suffix) and rename it when done, as most tools do.
"""

from __future__ import annotations

import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Signature = tuple[int, int, int]
"""A file's size, modification time (ns) and inode: what changes when it is written."""


def signature(path: Path) -> Signature | None:
    """The file's :data:`Signature`, or ``None`` when it is gone (or not a file)."""
    try:
        found = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return (found.st_size, found.st_mtime_ns, found.st_ino)


@dataclass(slots=True)
class _Waiting:
    signature: Signature | None
    due: float
    live: bool


class Settler:
    """The files seen changing, each until it has been quiet for ``quiet`` seconds."""

    def __init__(self, quiet: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.quiet = quiet
        self.clock = clock
        self._waiting: dict[Path, _Waiting] = {}

    def __len__(self) -> int:
        return len(self._waiting)

    def __contains__(self, path: object) -> bool:
        return path in self._waiting

    def touched(self, path: Path, found: Signature | None, *, live: bool = True) -> None:
        """``path`` changed (or, not ``live``, was found when the watcher started): its quiet
        time starts again. A file seen changing stays ``live``."""
        before = self._waiting.get(path)
        live = live or (before is not None and before.live)
        self._waiting[path] = _Waiting(found, self.clock() + self.quiet, live)

    def forget(self, path: Path) -> None:
        self._waiting.pop(path, None)

    def next_due(self) -> float | None:
        """When the next file's quiet time is over (on :attr:`clock`), if any file waits."""
        return min((w.due for w in self._waiting.values()), default=None)

    def due(self) -> list[Path]:
        """The files whose quiet time is over, to be looked at again."""
        now = self.clock()
        return [path for path, waiting in self._waiting.items() if waiting.due <= now]

    def check(self, path: Path, found: Signature | None) -> bool | None:
        """After looking at a due file again: ``True`` (live) or ``False`` (found at start)
        when it has not changed, and leaves; ``None`` when it changed (it waits again) or is
        gone (it leaves)."""
        waiting = self._waiting.get(path)
        if waiting is None:
            return None
        if found is None:
            del self._waiting[path]
            return None
        if found != waiting.signature:
            waiting.signature, waiting.due = found, self.clock() + self.quiet
            return None
        del self._waiting[path]
        return waiting.live
