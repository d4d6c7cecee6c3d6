"""Everything the bot sent the stand-in, in order, with a way to wait for what has not come yet."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SECRET_HEADERS = frozenset({"authorization"})


@dataclass(frozen=True)
class RecordedFile:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class Recorded:
    """One request the bot made (REST) or one gateway event (``method == "WS"``)."""

    method: str
    route: str
    """The route template, e.g. ``/interactions/{interaction_id}/{token}/callback``."""
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    files: list[RecordedFile] = field(default_factory=list)
    match: dict[str, str] = field(default_factory=dict)
    authorized: bool = False
    at: float = field(default_factory=time.monotonic)
    status: int | None = None
    """The status the stand-in answered with (``None`` for gateway events)."""
    settled: bool = False
    """Answered (REST) or received (gateway): only settled records satisfy a wait."""
    checked_against: str | None = None
    """The operation of Discord's OpenAPI description the body was validated against."""
    invalid: dict[str, Any] | None = None
    """Discord's ``errors`` tree when the body broke that description (answered 400, 50035)."""
    invalid_detail: list[str] = field(default_factory=list)
    """jsonschema's own account of each failure, with the schema path, for debugging."""
    message_id: str | None = None
    """The message this request created or changed, when it did: a callback's (4 and 5 create
    one, 6 and 7 answer a click on one), a followup's, an edit's."""

    @property
    def key(self) -> str:
        return f"{self.method} {self.route}"


Predicate = Callable[[Recorded], bool]


@dataclass
class _Waiter:
    predicate: Predicate
    count: int
    future: asyncio.Future[None]
    matched: list[Recorded] = field(default_factory=list)

    def offer(self, record: Recorded) -> None:
        if self.predicate(record):
            self.matched.append(record)
            if len(self.matched) >= self.count and not self.future.done():
                self.future.set_result(None)


class Recorder:
    def __init__(self) -> None:
        self.records: list[Recorded] = []
        self._waiters: list[_Waiter] = []

    def add(self, record: Recorded) -> None:
        self.records.append(record)

    def settle(self, record: Recorded) -> None:
        record.settled = True
        for waiter in self._waiters:
            waiter.offer(record)

    def find(self, predicate: Predicate) -> list[Recorded]:
        return [r for r in self.records if predicate(r)]

    async def wait_for(
        self,
        predicate: Predicate,
        *,
        timeout: float,  # noqa: ASYNC109
        count: int = 1,
        since: int = 0,
    ) -> list[Recorded]:
        """The first ``count`` settled matches among the records from number ``since`` on;
        ``TimeoutError`` naming what was seen otherwise.

        ``since`` spares looking through what came before, which for a benchmark's thousands
        of commands grew to a scan of some 400 µs per command at a thousand records, made while
        the answer it waits for was coming in.
        """
        waiter = _Waiter(predicate, count, asyncio.get_running_loop().create_future())
        for record in itertools.islice(self.records, since, None):
            if record.settled:
                waiter.offer(record)
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout):
                await waiter.future
        except TimeoutError:
            seen = ", ".join(f"{r.key}->{r.status}" for r in self.records[-15:])
            raise TimeoutError(
                f"{len(waiter.matched)}/{count} matching records after {timeout}s; last: {seen}"
            ) from None
        finally:
            self._waiters.remove(waiter)
        return waiter.matched[:count]
