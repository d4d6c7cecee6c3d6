"""Download an uploaded file with a cap: refused as soon as it passes the limit, not after.

An attachment's declared size is what the uploader's client said; the body Discord's CDN
serves is what counts. The body is read in chunks through the client's own HTTP session (its
connector, proxy and user agent, as ``Attachment.read()`` uses), and the connection is closed
the moment the limit is passed.
"""

from __future__ import annotations

import aiohttp
from discord.http import HTTPClient

from bot.core.errors import QueryError
from bot.core.loader import mebibytes

CHUNK = 64 * 1024
TIMEOUT = aiohttp.ClientTimeout(total=120, sock_read=30)
"""A CDN that stalls does not hold an import for ever (the deferred answer waits 15 minutes)."""


def too_large(limit: int) -> QueryError:
    return QueryError(f"That file is too big: a grid file can be at most {mebibytes(limit)}.")


def session_of(http: HTTPClient) -> aiohttp.ClientSession:
    """The session discord.py opened on login (it keeps it private)."""
    session = getattr(http, "_HTTPClient__session", None)
    if not isinstance(session, aiohttp.ClientSession) or session.closed:
        raise QueryError("The bot is not connected to Discord right now; try again in a moment.")
    return session


async def read_capped(http: HTTPClient, url: str, limit: int) -> bytes:
    """The file at ``url``, or a :class:`QueryError` once it passes ``limit`` bytes."""
    session = session_of(http)
    try:
        async with session.get(
            url, proxy=http.proxy, proxy_auth=http.proxy_auth, timeout=TIMEOUT
        ) as response:
            if response.status != 200:
                raise QueryError(
                    f"Discord did not hand over the file (HTTP {response.status}); "
                    "try uploading it again."
                )
            if response.content_length is not None and response.content_length > limit:
                response.close()
                raise too_large(limit)
            body = bytearray()
            async for chunk in response.content.iter_chunked(CHUNK):
                body += chunk
                if len(body) > limit:
                    response.close()  # drop the connection: the rest is never read
                    raise too_large(limit)
            return bytes(body)
    except (aiohttp.ClientError, TimeoutError) as error:
        raise QueryError(
            f"The file could not be downloaded from Discord ({type(error).__name__}); "
            "try uploading it again."
        ) from None
