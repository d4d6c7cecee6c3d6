"""The stand-in as one object: an aiohttp server on 127.0.0.1 serving REST and the gateway."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from . import payloads
from .faults import Fault, Faults
from .gateway import Gateway
from .interactions import EPHEMERAL, Interactions
from .recorder import Predicate, Recorded, Recorder
from .rest import PREFIX, Rest

JSON = dict[str, Any]
CALLBACK = "POST /interactions/{interaction_id}/{token}/callback"
FOLLOWUP = "POST /webhooks/{application_id}/{token}"
EDIT_ORIGINAL = "PATCH /webhooks/{application_id}/{token}/messages/{message_id}"
OPTION_TYPES = {bool: 5, int: 4, float: 10, str: 3}


def visible_text(body: JSON) -> str:
    """Everything a person would read in a message body, joined: content and every embed part."""
    parts = [body.get("content") or ""]
    for embed in body.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [
            (embed.get("author") or {}).get("name") or "",
            (embed.get("footer") or {}).get("text") or "",
        ]
        for field in embed.get("fields") or []:
            parts += [field.get("name") or "", field.get("value") or ""]
    return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class CallbackResult:
    """The bot's answer to one interaction (callback, followup or edit), timed from dispatch."""

    record: Recorded
    latency: float

    @property
    def body(self) -> JSON:
        return dict(self.record.json or {})

    @property
    def type(self) -> int:
        return int(self.body["type"])

    @property
    def data(self) -> JSON:
        """The message body: ``data`` of a callback, or the whole body of a followup or edit."""
        if self.record.key == CALLBACK:
            return dict(self.body.get("data") or {})
        return self.body

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & EPHEMERAL)

    @property
    def embeds(self) -> list[JSON]:
        return list(self.data.get("embeds") or [])

    @property
    def text(self) -> str:
        return visible_text(self.data)

    @property
    def allowed_mentions(self) -> JSON | None:
        return self.data.get("allowed_mentions")


class StandIn:
    def __init__(self, *, deadline: float = 3.0, heartbeat_interval: int = 41250) -> None:
        self.world = payloads.World()
        self.recorder = Recorder()
        self.faults = Faults()
        self.interactions = Interactions(self.world, deadline=deadline)
        self.gateway = Gateway(self.world, self.recorder, heartbeat_interval=heartbeat_interval)
        self.rest = Rest(
            self.world, self.recorder, self.faults, self.interactions, lambda: self.gateway.url
        )
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> Self:
        app = web.Application(middlewares=[self.rest.middleware], client_max_size=64 * 1024**2)
        app.add_routes(self.rest.routes() + self.gateway.routes())
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.gateway.base_url = f"ws://127.0.0.1:{self.port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """What the launcher sets ``discord.http.Route.BASE`` to."""
        return self.base_url + PREFIX

    @property
    def records(self) -> list[Recorded]:
        return self.recorder.records

    def requests(self, key: str) -> list[Recorded]:
        return self.recorder.find(lambda r: r.key == key)

    async def wait_for(
        self,
        predicate: Predicate,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        count: int = 1,
    ) -> list[Recorded]:
        return await self.recorder.wait_for(predicate, timeout=timeout, count=count)

    async def wait_for_key(
        self,
        key: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        count: int = 1,
    ) -> list[Recorded]:
        return await self.wait_for(lambda r: r.key == key, timeout=timeout, count=count)

    def fail(
        self,
        key: str,
        *,
        status: int,
        times: int = 1,
        retry_after: float = 0.0,
        is_global: bool = False,
    ) -> Fault:
        """Answer the next ``times`` requests to ``key`` (``"METHOD /route"``) with ``status``."""
        return self.faults.add(Fault(key, status, times, retry_after, is_global))

    # Interactions

    def command(self, name: str) -> JSON:
        found = self.rest.commands.find(name, guild_id=self.world.guild_id)
        if found is None:
            raise LookupError(f"/{name} has not been synced to the stand-in")
        return found

    def build_interaction(self, name: str, options: list[JSON], *, kind: int = 2) -> JSON:
        return payloads.interaction(
            self.world, kind=kind, command=self.command(name), options=options
        )

    def typed_options(
        self, name: str, values: dict[str, Any], focused: str | None = None
    ) -> list[JSON]:
        """Options typed as Discord types them, from the synced schema of ``/name``."""
        declared = {o["name"]: o for o in self.command(name).get("options") or []}
        built = []
        for key, value in values.items():
            kind = declared[key]["type"] if key in declared else OPTION_TYPES[type(value)]
            if key == focused:  # what the user has typed so far: always a string
                built.append(payloads.option(key, str(value), kind, focused=True))
            else:
                built.append(payloads.option(key, value, kind))
        return built

    async def dispatch_interaction(self, payload: JSON) -> str:
        item = self.interactions.add(payload)
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return item.id

    async def invoke(self, name: str, /, **options: Any) -> str:
        """Dispatch ``/name`` with ``options``; returns the interaction id."""
        return await self.dispatch_interaction(
            self.build_interaction(name, self.typed_options(name, options))
        )

    async def autocomplete(self, name: str, focused: str, /, **options: Any) -> str:
        built = self.typed_options(name, options, focused=focused)
        return await self.dispatch_interaction(self.build_interaction(name, built, kind=4))

    def _settled_callback(self, ids: set[str]) -> Predicate:
        def settled(r: Recorded) -> bool:
            mine = r.key == CALLBACK and r.match.get("interaction_id") in ids
            return mine and r.status is not None and r.status != 429 and r.status < 500

        return settled

    def _result(self, record: Recorded) -> CallbackResult:
        if record.status is not None and record.status >= 300:
            raise AssertionError(f"Discord refused the callback ({record.status}): {record.json}")
        dispatched = self.interactions.by_id[record.match["interaction_id"]].dispatched_at
        return CallbackResult(record, record.at - dispatched)

    async def wait_for_response(
        self,
        interaction_id: str,
        *,
        timeout: float = 3.0,  # noqa: ASYNC109
    ) -> CallbackResult:
        """The callback Discord settled for this interaction; fails on one Discord refused.

        Callbacks answered 429 or 5xx are skipped: discord.py retries them.
        """
        settled = self._settled_callback({interaction_id})
        (record,) = await self.wait_for(settled, timeout=timeout)
        return self._result(record)

    async def wait_for_responses(
        self,
        interaction_ids: list[str],
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[CallbackResult]:
        """:meth:`wait_for_response` for many interactions at once, in the order given."""
        settled = self._settled_callback(set(interaction_ids))
        records = await self.wait_for(settled, timeout=timeout, count=len(interaction_ids))
        by_id = {r.match["interaction_id"]: self._result(r) for r in records}
        return [by_id[i] for i in interaction_ids]

    async def ask(self, name: str, /, *, timeout: float = 3.0, **options: Any) -> CallbackResult:  # noqa: ASYNC109
        return await self.wait_for_response(await self.invoke(name, **options), timeout=timeout)

    async def wait_for_followup(
        self,
        interaction_id: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallbackResult:
        """The first followup or edit of the original response for this interaction."""
        token = self.interactions.by_id[interaction_id].token

        def followed(r: Recorded) -> bool:
            return (
                r.key in (FOLLOWUP, EDIT_ORIGINAL)
                and r.match.get("token") == token
                and r.status is not None
            )

        (record,) = await self.wait_for(followed, timeout=timeout)
        if record.status is not None and record.status >= 300:
            raise AssertionError(f"Discord refused the followup ({record.status}): {record.json}")
        dispatched = self.interactions.by_id[interaction_id].dispatched_at
        return CallbackResult(record, record.at - dispatched)
