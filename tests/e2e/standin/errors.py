"""Discord-shaped JSON responses and error bodies."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from aiohttp import web

from . import codec


def discord_json(payload: Any, *, status: int = 200) -> web.Response:
    """JSON with ``Content-Type`` exactly ``application/json`` (discord.py compares it verbatim)."""
    response = web.Response(
        body=codec.dumps(payload),
        status=status,
        content_type="application/json",
    )
    # Discord sits behind Google's front end; discord.py treats a 429 without ``Via`` as a ban.
    response.headers["Via"] = "1.1 google"
    return response


def bucket_hash(key: str) -> str:
    """A stable opaque bucket id per route, like ``X-RateLimit-Bucket``."""
    return hashlib.sha1(key.encode()).hexdigest()[:32]


def with_rate_limit_headers(response: web.StreamResponse, bucket: str) -> None:
    """The headers Discord sends on every bot request, with a bucket that never runs dry."""
    response.headers.setdefault("Via", "1.1 google")
    response.headers.update(
        {
            "X-RateLimit-Limit": "50",
            "X-RateLimit-Remaining": "49",
            "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
            "X-RateLimit-Reset-After": "1.000",
            "X-RateLimit-Bucket": bucket_hash(bucket),
        }
    )


def error(status: int, message: str, code: int, errors: Any = None) -> web.Response:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors is not None:
        body["errors"] = errors
    return discord_json(body, status=status)


def unauthorized() -> web.Response:
    return error(401, "401: Unauthorized", 0)


def unknown_interaction() -> web.Response:
    return error(404, "Unknown interaction", 10062)


def already_acknowledged() -> web.Response:
    return error(400, "Interaction has already been acknowledged.", 40060)


def unknown_webhook() -> web.Response:
    return error(404, "Unknown Webhook", 10015)


def unknown_message() -> web.Response:
    return error(404, "Unknown Message", 10008)


def invalid_form_body(errors: Any) -> web.Response:
    return error(400, "Invalid Form Body", 50035, errors)
