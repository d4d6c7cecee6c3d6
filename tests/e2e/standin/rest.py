"""Discord's REST API (v10) routes that discord.py uses for a slash-command bot."""

from __future__ import annotations

import email.parser
import email.policy
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from . import codec, errors
from .attachments import ROUTE as CDN_ROUTE
from .attachments import Attachments
from .commands import CommandStore, validate
from .faults import Faults
from .interactions import Interactions
from .openapi import BodySchemas
from .payloads import World, application, bot_user
from .recorder import SECRET_HEADERS, Recorded, RecordedFile, Recorder

PREFIX = "/api/v10"
CDN_PREFIX = "/attachments/"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Routes a webhook token authorises on its own, as on Discord: no bot token needed.
TOKEN_ROUTES = ("/interactions/", "/webhooks/")
RECORD = web.RequestKey("record", Recorded)


def parse_body(content_type: str, raw: bytes) -> tuple[Any, list[RecordedFile]]:
    """The JSON payload and files of a request: plain JSON, or multipart with ``payload_json``."""
    if not raw:
        return None, []
    if content_type.startswith("application/json"):
        return codec.loads(raw), []
    if not content_type.startswith("multipart/form-data"):
        return raw.decode(errors="replace"), []
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    document = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    payload: Any = None
    files = []
    for part in document.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        if name == "payload_json":
            payload = codec.loads(data)
        else:
            files.append(
                RecordedFile(str(name), part.get_filename() or "", part.get_content_type(), data)
            )
    return payload, files


class Rest:
    def __init__(
        self,
        world: World,
        recorder: Recorder,
        faults: Faults,
        interactions: Interactions,
        gateway_url: Callable[[], str],
        *,
        attachments: Attachments | None = None,
        joined: set[int] | None = None,
        schemas: BodySchemas | None = None,
    ) -> None:
        self.world = world
        self.recorder = recorder
        self.faults = faults
        self.interactions = interactions
        self.commands = CommandStore(world.application_id)
        self.gateway_url = gateway_url
        self.attachments = attachments if attachments is not None else Attachments()
        self.joined = joined if joined is not None else set(world.guild_ids)
        """The guilds the bot is in (shared with the gateway, which changes it)."""
        self.schemas = schemas
        """Discord's OpenAPI request bodies; ``None`` checks only the stand-in's own rules."""
        self.shards = 1
        """The shard count ``GET /gateway/bot`` recommends."""
        self.max_concurrency = 1
        """Sessions the bot may start per 5 s (``session_start_limit.max_concurrency``)."""

    def routes(self) -> list[web.RouteDef]:
        """The routes, mounted under ``/api/v10`` as ``discord.http.Route.BASE`` expects."""
        app = "/applications/{application_id}"
        hook = "/webhooks/{application_id}/{token}"
        routes = [
            web.get("/users/@me", self.me),
            web.get("/oauth2/applications/@me", self.app_info),
            web.get("/applications/@me", self.app_info),
            web.get("/gateway", self.gateway),
            web.get("/gateway/bot", self.gateway_bot),
            web.get(app + "/commands", self.get_commands),
            web.put(app + "/commands", self.put_commands),
            web.get(app + "/guilds/{guild_id}/commands", self.get_commands),
            web.put(app + "/guilds/{guild_id}/commands", self.put_commands),
            web.post("/interactions/{interaction_id}/{token}/callback", self.callback),
            web.post(hook, self.followup),
            web.get(hook + "/messages/{message_id}", self.get_message),
            web.patch(hook + "/messages/{message_id}", self.edit_message),
            web.delete(hook + "/messages/{message_id}", self.delete_message),
        ]
        api = [web.route(r.method, PREFIX + r.path, r.handler) for r in routes]
        return [*api, web.get(CDN_ROUTE, self.attachments.serve)]

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Record the request, then answer as Discord would: 401, a scheduled fault, 400 for a
        body Discord's OpenAPI description refuses, or the route."""
        cdn = request.path.startswith(CDN_PREFIX)
        if not request.path.startswith(PREFIX + "/") and not cdn:
            return await handler(request)
        info = request.match_info
        resource = info.route.resource
        template = resource.canonical if resource is not None else request.path
        route = template.removeprefix(PREFIX)
        auth = request.headers.get("Authorization")
        payload, files = parse_body(request.headers.get("Content-Type", ""), await request.read())
        record = Recorded(
            method=request.method,
            route=route,
            path=request.path.removeprefix(PREFIX),
            query=dict(request.query),
            headers={k: v for k, v in request.headers.items() if k.lower() not in SECRET_HEADERS},
            json=payload,
            files=files,
            match=dict(info),
            authorized=auth == f"Bot {self.world.token}",
        )
        request[RECORD] = record
        self.recorder.add(record)
        response: web.StreamResponse
        if cdn:
            fault = self.faults.take(record.key)
            response = fault.response() if fault else await handler(request)
        elif not record.authorized and not route.startswith(TOKEN_ROUTES):
            response = errors.unauthorized()
        elif fault := self.faults.take(record.key):
            response = fault.response()
        elif refused := self._check_body(record):
            response = refused
            errors.with_rate_limit_headers(response, record.key)
        else:
            try:
                response = await handler(request)
            except web.HTTPNotFound:
                response = errors.error(404, "404: Not Found", 0)
            except web.HTTPMethodNotAllowed:
                response = errors.error(405, "405: Method Not Allowed", 0)
            errors.with_rate_limit_headers(response, record.key)
        record.status = response.status
        self.recorder.settle(record)
        return response

    def _check_body(self, record: Recorded) -> web.Response | None:
        """Discord's 400 if the body breaks its OpenAPI description, else ``None``."""
        if self.schemas is None or not isinstance(record.json, (dict, list)):
            return None
        verdict = self.schemas.check(record.method, record.path, record.json)
        if verdict is None:
            return None
        record.checked_against = verdict.operation
        if not verdict.problems:
            return None
        record.invalid = verdict.errors
        record.invalid_detail = [
            f"{'.'.join(map(str, p.path)) or '<body>'}: {p.detail}" for p in verdict.problems
        ]
        return errors.invalid_form_body(record.invalid)

    @staticmethod
    def _record(request: web.Request) -> Recorded:
        return request[RECORD]

    async def me(self, request: web.Request) -> web.Response:
        return errors.discord_json(bot_user(self.world))

    async def app_info(self, request: web.Request) -> web.Response:
        return errors.discord_json(application(self.world))

    async def gateway(self, request: web.Request) -> web.Response:
        return errors.discord_json({"url": self.gateway_url()})

    async def gateway_bot(self, request: web.Request) -> web.Response:
        limit = {
            "total": 1000,
            "remaining": 999,
            "reset_after": 14_400_000,
            "max_concurrency": self.max_concurrency,
        }
        return errors.discord_json(
            {"url": self.gateway_url(), "shards": self.shards, "session_start_limit": limit}
        )

    def _scope(self, request: web.Request) -> int | web.Response | None:
        if request.match_info["application_id"] != str(self.world.application_id):
            return errors.error(403, "Missing Access", 50001)
        guild = request.match_info.get("guild_id")
        if guild is not None and guild not in {str(g) for g in self.joined}:
            return errors.error(403, "Missing Access", 50001)
        return int(guild) if guild else None

    async def get_commands(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        if isinstance(scope, web.Response):
            return scope
        return errors.discord_json(self.commands.get(scope))

    async def put_commands(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        if isinstance(scope, web.Response):
            return scope
        body = self._record(request).json
        if found := validate(body):
            return errors.invalid_form_body(found)
        return errors.discord_json(self.commands.overwrite(scope, body))

    async def callback(self, request: web.Request) -> web.Response:
        record = self._record(request)
        info = request.match_info
        response = self.interactions.callback(
            info["interaction_id"],
            info["token"],
            record.json or {},
            file_count=len(record.files),
            record=record,
        )
        if (
            request.query.get("with_response") not in ("1", "true", "True")
            and response.status == 200
        ):
            return web.Response(status=204)
        return response

    async def followup(self, request: web.Request) -> web.Response:
        record = self._record(request)
        info = request.match_info
        wait = request.query.get("wait", "false").lower() in ("1", "true")
        return self.interactions.followup(
            info["application_id"],
            info["token"],
            record.json or {},
            file_count=len(record.files),
            wait=wait,
            record=record,
        )

    async def get_message(self, request: web.Request) -> web.Response:
        info = request.match_info
        return self.interactions.get_message(
            info["application_id"], info["token"], info["message_id"]
        )

    async def edit_message(self, request: web.Request) -> web.Response:
        info = request.match_info
        record = self._record(request)
        return self.interactions.edit_message(
            info["application_id"],
            info["token"],
            info["message_id"],
            record.json or {},
            record=record,
        )

    async def delete_message(self, request: web.Request) -> web.Response:
        info = request.match_info
        return self.interactions.delete_message(
            info["application_id"], info["token"], info["message_id"]
        )
