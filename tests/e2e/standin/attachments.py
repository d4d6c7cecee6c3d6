"""Discord's CDN for uploaded attachments: signed URLs on the stand-in's own HTTP server.

A test uploads bytes (``StandIn.attachment``); the interaction carries the attachment payload in
``data.resolved.attachments``; the bot downloads ``url`` (discord.py's ``Attachment.read`` does a
plain GET on it through its HTTP session). Like Discord's, the URL is signed with ``ex`` (expiry),
``is`` (issued) and ``hm`` (signature) query parameters; a URL missing or altering them is 404.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import web

from . import payloads
from .snowflakes import snowflake

JSON = payloads.JSON
ROUTE = "/attachments/{attachment_id}/{filename}"
LIFETIME = 24 * 3600
# Types Discord reports for text uploads carry the charset; files it cannot sniff have none.
CONTENT_TYPES = {
    ".md": "text/markdown; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".pdf": "application/pdf",
}


def content_type_for(filename: str) -> str | None:
    dot = filename.rfind(".")
    return CONTENT_TYPES.get(filename[dot:].lower()) if dot > 0 else None


@dataclass(frozen=True)
class Stored:
    id: str
    filename: str
    data: bytes
    content_type: str | None
    payload: JSON


class Attachments:
    """Uploaded files by id, and the handler serving them at their signed URL."""

    def __init__(self) -> None:
        self.by_id: dict[str, Stored] = {}
        self._key = secrets.token_bytes(16)

    def _signature(self, attachment_id: str, filename: str, expires: str, issued: str) -> str:
        message = f"{attachment_id}/{filename}?{expires}&{issued}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def upload(
        self,
        base_url: str,
        filename: str,
        data: bytes,
        *,
        content_type: str | None = None,
        ephemeral: bool = True,
    ) -> JSON:
        """Store ``data`` and return its attachment payload (``url`` on ``base_url``)."""
        attachment_id = str(snowflake())
        issued = int(time.time())
        ex, is_ = f"{issued + LIFETIME:x}", f"{issued:x}"
        hm = self._signature(attachment_id, filename, ex, is_)
        url = f"{base_url}/attachments/{attachment_id}/{quote(filename)}?ex={ex}&is={is_}&hm={hm}"
        kind = content_type if content_type is not None else content_type_for(filename)
        payload = payloads.attachment(
            int(attachment_id), filename, len(data), url, content_type=kind, ephemeral=ephemeral
        )
        self.by_id[attachment_id] = Stored(attachment_id, filename, data, kind, payload)
        return payload

    def resolve(self, attachment_id: str) -> JSON | None:
        stored = self.by_id.get(str(attachment_id))
        return None if stored is None else stored.payload

    async def serve(self, request: web.Request) -> web.Response:
        info, query = request.match_info, request.query
        stored = self.by_id.get(info["attachment_id"])
        signed = stored is not None and hmac.compare_digest(
            query.get("hm", ""),
            self._signature(stored.id, info["filename"], query.get("ex", ""), query.get("is", "")),
        )
        if stored is None or not signed or stored.filename != info["filename"]:
            return web.Response(status=404, text="This content is no longer available.")
        if int(query.get("ex", "0"), 16) < time.time():
            return web.Response(status=404, text="This content is no longer available.")
        return web.Response(
            body=stored.data,
            headers={"Content-Type": stored.content_type or "application/octet-stream"},
        )
