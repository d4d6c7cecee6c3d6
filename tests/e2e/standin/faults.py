"""Failures a test can schedule: the next N requests to a route answer 429 or 5xx."""

from __future__ import annotations

import time
from dataclasses import dataclass

from aiohttp import web

from .errors import bucket_hash, discord_json


@dataclass
class Fault:
    key: str
    """``"METHOD /route/{template}"``, as in :attr:`Recorded.key`."""
    status: int
    times: int
    retry_after: float = 0.0
    is_global: bool = False
    hits: int = 0

    @property
    def spent(self) -> bool:
        return self.hits >= self.times

    def response(self) -> web.Response:
        self.hits += 1
        if self.status == 429:
            return rate_limited(self.retry_after, is_global=self.is_global, bucket=self.key)
        return discord_json(
            {"message": f"{self.status}: Internal Server Error", "code": 0}, status=self.status
        )


def rate_limited(retry_after: float, *, is_global: bool, bucket: str) -> web.Response:
    """A 429 shaped like Discord's: JSON body, ``X-RateLimit-*`` and ``Retry-After`` headers."""
    body = {
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": is_global,
    }
    headers = {
        "Retry-After": str(max(1, round(retry_after))),
        "X-RateLimit-Scope": "global" if is_global else "user",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    else:
        headers.update(
            {
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Bucket": bucket_hash(bucket),
            }
        )
    response = discord_json(body, status=429)
    response.headers.update(headers)
    return response


class Faults:
    def __init__(self) -> None:
        self.pending: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        self.pending.append(fault)
        return fault

    def take(self, key: str) -> Fault | None:
        for fault in self.pending:
            if fault.key == key and not fault.spent:
                return fault
        return None
