"""The stand-in as one object: an aiohttp server on 127.0.0.1 serving REST and the gateway."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar, Self

from aiohttp import web

from . import components, openapi, payloads
from .attachments import ROUTE as CDN_ROUTE
from .attachments import Attachments
from .channels import POST_MESSAGE, Channels
from .faults import Fault, Faults
from .gateway import Gateway
from .interactions import EPHEMERAL, Interactions
from .recorder import Predicate, Recorded, Recorder
from .rest import PREFIX, Rest

JSON = dict[str, Any]
CALLBACK = "POST /interactions/{interaction_id}/{token}/callback"
FOLLOWUP = "POST /webhooks/{application_id}/{token}"
EDIT_ORIGINAL = "PATCH /webhooks/{application_id}/{token}/messages/{message_id}"
DOWNLOAD = "GET " + CDN_ROUTE
"""The key of a download of an attachment from the stand-in's CDN."""
OPTION_TYPES = {bool: 5, int: 4, float: 10, str: 3}
ATTACHMENT_OPTION = 11
CHANNEL_OPTION = 7


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
        """Whether the body asked for an ephemeral message. An UPDATE_MESSAGE (7) sends no
        flags: the message clicked stays as it was (``standin.message(result)["flags"]``)."""
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

    @property
    def components(self) -> list[JSON]:
        """The components this answer sent (for a type 7: what the message shows now)."""
        return list(self.data.get("components") or [])

    @property
    def buttons(self) -> dict[str, JSON]:
        """The buttons this answer sent, by label: ``{"Next": {"custom_id", "disabled", …}}``.
        :meth:`StandIn.buttons` reads the message as Discord shows it now instead."""
        return components.buttons(self.components)

    @property
    def message_id(self) -> str | None:
        """The message this answer created (4, 5, a followup) or changed (6, 7, an edit)."""
        return self.record.message_id


def refusal(what: str, record: Recorded) -> str:
    said = f"Discord refused the {what} ({record.status}): {record.json}"
    if record.invalid is not None:
        said += f"\nagainst its OpenAPI description: {record.invalid_detail}"
    return said


@dataclass(frozen=True)
class Invocation:
    """Where and by whom a command is used: the keywords :meth:`StandIn.invoke`, ``ask`` and
    ``autocomplete`` take out of their options.

    ``guild``: the guild id (default: ``world.guild_id``; ``world.other_guild_id`` is the
    second). ``user_id``: the invoker (default ``world.user_id``; ``world.owner_id`` owns the
    application). ``permissions``: the member's, a decimal string (default
    ``payloads.MEMBER_PERMISSIONS``, without Manage Server; ``payloads.MANAGER_PERMISSIONS``
    has it). ``dm``: used in the bot's DM instead (no guild, no member).
    """

    guild: int | None = None
    user_id: int | None = None
    permissions: str | None = None
    dm: bool = False

    KEYWORDS: ClassVar[tuple[str, ...]] = ("guild", "user_id", "permissions", "dm")

    @classmethod
    def pop_from(cls, options: dict[str, Any]) -> Invocation:
        return cls(**{k: options.pop(k) for k in cls.KEYWORDS if k in options})

    @property
    def kwargs(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.KEYWORDS}


Clickable = CallbackResult | JSON | str
"""What a click names its message by: an answer, a message payload, or a message id."""


def _is_attachment(value: Any) -> bool:
    return isinstance(value, dict) and "filename" in value and "url" in value


class StandIn:
    """Discord on 127.0.0.1: REST under ``/api/v10``, the gateway, and a CDN for attachments.

    ``check_bodies`` validates every JSON body the bot sends against Discord's OpenAPI
    description (see ``openapi.py``); a body that breaks it is answered 400 (50035) and kept in
    :attr:`invalid_bodies`.

    ``shards`` is the shard count ``GET /gateway/bot`` recommends (and requires, see
    ``gateway.py``), ``max_concurrency`` its ``session_start_limit.max_concurrency``, and
    ``guilds`` how many guilds the bot is in; with more than one shard or two guilds, the
    world is :meth:`payloads.World.sharded`, guild ``k`` on shard ``k % shards``.
    """

    def __init__(
        self,
        *,
        deadline: float = 3.0,
        heartbeat_interval: int = 41250,
        check_bodies: bool = True,
        port: int = 0,
        shards: int = 1,
        guilds: int = 2,
        max_concurrency: int = 1,
    ) -> None:
        sharded = shards > 1 or guilds > 2
        self.world = payloads.World.sharded(shards, guilds) if sharded else payloads.World()
        self.recorder = Recorder()
        self.faults = Faults()
        self.joined: set[int] = set(self.world.guild_ids)
        """The guilds the bot is in; see :meth:`remove_from_guild` and :meth:`add_to_guild`."""
        self.attachments = Attachments()
        self.interactions = Interactions(self.world, deadline=deadline)
        self.gateway = Gateway(
            self.world,
            self.recorder,
            heartbeat_interval=heartbeat_interval,
            joined=self.joined,
            shard_count=shards,
        )
        self.rest = Rest(
            self.world,
            self.recorder,
            self.faults,
            self.interactions,
            lambda: self.gateway.url,
            attachments=self.attachments,
            joined=self.joined,
            schemas=openapi.load() if check_bodies else None,
        )
        self.rest.shards, self.rest.max_concurrency = shards, max_concurrency
        self.channels = Channels(self.world, self.interactions, self.joined)
        """Messages the bot posts in guild channels (``channels.py``)."""
        self._runner: web.AppRunner | None = None
        self._invalid_taken = 0
        self._wanted_port = port
        """The port to listen on once started (0: any free one)."""
        self.port = 0

    async def start(self) -> Self:
        app = web.Application(middlewares=[self.rest.middleware], client_max_size=64 * 1024**2)
        app.add_routes(self.rest.routes() + self.gateway.routes() + self.channels.routes())
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._wanted_port)
        await site.start()
        server = site._server
        assert server is not None
        # Why mypy is silenced below: asyncio types AbstractServer without .sockets; it is a Server
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

    @property
    def checks_bodies(self) -> bool:
        """Whether bodies are validated against Discord's OpenAPI description."""
        return self.rest.schemas is not None

    @property
    def invalid_bodies(self) -> list[Recorded]:
        """Requests refused because their body broke Discord's OpenAPI description."""
        return self.recorder.find(lambda r: r.invalid is not None)

    def take_invalid_bodies(self) -> list[Recorded]:
        """The :attr:`invalid_bodies` not taken before: a test claims those it caused."""
        found = self.invalid_bodies
        self._invalid_taken, new = len(found), found[self._invalid_taken :]
        return new

    async def wait_for(
        self,
        predicate: Predicate,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        count: int = 1,
        since: int = 0,
    ) -> list[Recorded]:
        return await self.recorder.wait_for(predicate, timeout=timeout, count=count, since=since)

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

    # The world: guilds, attachments

    async def remove_from_guild(self, guild: int | None = None) -> int | None:
        """The bot is removed from ``guild`` (default: the first): ``GUILD_DELETE`` is sent.

        Returns the event's sequence number (``None`` if no bot has identified yet). Until
        :meth:`add_to_guild`, no command can be invoked there and a new session's READY leaves
        the guild out.
        """
        return await self.gateway.guild_delete(self.world.guild_id if guild is None else guild)

    async def add_to_guild(self, guild: int | None = None) -> int | None:
        """The bot is added (back) to ``guild`` (default: the first): ``GUILD_CREATE`` is sent."""
        return await self.gateway.guild_create(self.world.guild_id if guild is None else guild)

    def attachment(self, filename: str, data: bytes, *, content_type: str | None = None) -> JSON:
        """Upload ``data`` as Discord does for an attachment option; returns its payload.

        Pass the payload as the option's value (``ask("import", file=att)``): the option is
        sent as type 11 with the attachment in ``data.resolved.attachments``. The bytes are
        served at the payload's ``url`` (signed, like Discord's CDN), where discord.py's
        ``Attachment.read()`` downloads them; each download is recorded as :data:`DOWNLOAD`.
        """
        if not self.port:
            raise RuntimeError("start the stand-in first: the attachment URL names its port")
        return self.attachments.upload(self.base_url, filename, data, content_type=content_type)

    # Interactions

    def command(self, name: str, *, guild: int | None = None, dm: bool = False) -> JSON:
        """``/name`` as a user would find it in ``guild`` (default: the first), or in the bot's
        DM (``dm=True``: a global command allowed in that context)."""
        if dm:
            found = self.rest.commands.find_in_dm(name)
            if found is None:
                raise LookupError(f"/{name} is not a global command usable in the bot's DM")
            return found
        guild_id = self.world.guild_id if guild is None else guild
        if guild_id not in self.world.guild_set:
            raise LookupError(f"guild {guild_id} is not in the stand-in's world")
        if guild_id not in self.joined:
            raise LookupError(f"the bot is not in guild {guild_id}: nobody can invoke /{name}")
        found = self.rest.commands.find(name, guild_id=guild_id)
        if found is None:
            raise LookupError(f"/{name} has not been synced to the stand-in for guild {guild_id}")
        return found

    def build_interaction(
        self,
        name: str,
        options: list[JSON],
        *,
        kind: int = 2,
        guild: int | None = None,
        user_id: int | None = None,
        permissions: str | None = None,
        dm: bool = False,
    ) -> JSON:
        """The ``INTERACTION_CREATE`` payload for ``/name`` with ``options``.

        Where: ``guild`` (default: the first guild) or ``dm=True`` (the bot's DM, no guild).
        Who: ``user_id`` (default ``world.user_id``; ``world.owner_id`` owns the application)
        with ``permissions`` in the guild (default ``payloads.MEMBER_PERMISSIONS``, which lacks
        Manage Server; ``payloads.MANAGER_PERMISSIONS`` has it). Attachment options (type 11)
        whose value is the id of an uploaded :meth:`attachment` are resolved.
        """
        if dm and (guild is not None or permissions is not None):
            raise ValueError("a DM has no guild and no member permissions")
        return payloads.interaction(
            self.world,
            kind=kind,
            command=self.command(name, guild=guild, dm=dm),
            options=options,
            permissions=payloads.MEMBER_PERMISSIONS if permissions is None else permissions,
            guild_id=guild,
            user_id=user_id,
            dm=dm,
            resolved=self._resolved(options),
        )

    def _resolved(self, options: list[JSON]) -> JSON | None:
        """``data.resolved`` for the attachment and channel options among ``options`` (nested
        too)."""
        found: JSON = {}
        channels: JSON = {}
        stack = list(options)
        while stack:
            item = stack.pop()
            stack += item.get("options") or []
            if item.get("type") == ATTACHMENT_OPTION:
                attachment = self.attachments.resolve(str(item.get("value")))
                if attachment is not None:
                    found[attachment["id"]] = attachment
            if item.get("type") == CHANNEL_OPTION:
                value = str(item.get("value"))
                channels.setdefault(value, self.channels.channel(int(value)))
        resolved: JSON = {}
        if found:
            resolved["attachments"] = found
        if channels:
            resolved["channels"] = channels
        return resolved or None

    def typed_options(
        self,
        name: str,
        values: dict[str, Any],
        focused: str | None = None,
        *,
        guild: int | None = None,
        dm: bool = False,
    ) -> list[JSON]:
        """Options typed as Discord types them, from the synced schema of ``/name``.

        An attachment payload (from :meth:`attachment`) becomes a type 11 option whose value
        is the attachment's id.
        """
        command = self.command(name, guild=guild, dm=dm)
        declared = {o["name"]: o for o in command.get("options") or []}
        built = []
        for key, value in values.items():
            if _is_attachment(value):
                built.append(payloads.option(key, value["id"], ATTACHMENT_OPTION))
                continue
            kind = declared[key]["type"] if key in declared else OPTION_TYPES[type(value)]
            if kind == CHANNEL_OPTION:  # a channel's id, as Discord sends it: a string
                value = str(value)
            if key == focused:  # what the user has typed so far: always a string
                built.append(payloads.option(key, str(value), kind, focused=True))
            else:
                built.append(payloads.option(key, value, kind))
        return built

    async def dispatch_interaction(self, payload: JSON, *, via_shard: int | None = None) -> str:
        """Send an ``INTERACTION_CREATE`` to the shard of its guild (a DM's: shard 0), as
        Discord does; ``via_shard`` sends it on that shard's session instead, as Discord would
        while a guild's shard moves from one process to another."""
        item = self.interactions.add(payload)
        item.recorded_before = len(self.recorder.records)
        guild = payload.get("guild_id")
        await self.gateway.dispatch(
            "INTERACTION_CREATE",
            payload,
            guild_id=None if guild is None else int(guild),
            shard=via_shard,
        )
        return item.id

    async def invoke(self, name: str, /, **options: Any) -> str:
        """Dispatch ``/name`` with ``options``; returns the interaction id.

        The keywords of :class:`Invocation` (``guild``, ``user_id``, ``permissions``, ``dm``)
        say where and by whom instead of being options; an option with one of those names must
        be built with :meth:`build_interaction`. ``via_shard=N`` is no option either: see
        :meth:`dispatch_interaction`.
        """
        via_shard: int | None = options.pop("via_shard", None)
        how = Invocation.pop_from(options)
        built = self.typed_options(name, options, guild=how.guild, dm=how.dm)
        payload = self.build_interaction(name, built, **how.kwargs)
        return await self.dispatch_interaction(payload, via_shard=via_shard)

    async def autocomplete(self, name: str, focused: str, /, **options: Any) -> str:
        """Dispatch an autocomplete for option ``focused`` of ``/name``; as :meth:`invoke`."""
        how = Invocation.pop_from(options)
        built = self.typed_options(name, options, focused=focused, guild=how.guild, dm=how.dm)
        payload = self.build_interaction(name, built, kind=4, **how.kwargs)
        return await self.dispatch_interaction(payload)

    # Messages the bot's answers made, and clicks on their buttons

    # Messages the bot posts in channels (announcements)

    def forbid(self, channel_id: int, forbidden: bool = True) -> None:
        """The bot may not post in ``channel_id`` (403 Missing Permissions), or may again."""
        self.channels.forbid(channel_id, forbidden)

    def posts(self, channel_id: int) -> list[JSON]:
        """The messages the bot created in ``channel_id``, in order."""
        return list(self.channels.posted.get(channel_id, []))

    async def wait_for_posts(
        self,
        channel_id: int,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[Recorded]:
        """The first ``count`` requests that created a message in ``channel_id`` (a 429 or a
        refusal creates none)."""
        return await self.wait_for(
            lambda r: (
                r.key == POST_MESSAGE
                and r.match.get("channel_id") == str(channel_id)
                and r.status == 200
            ),
            timeout=timeout,
            count=count,
        )

    def message(self, target: Clickable) -> JSON:
        """The message ``target`` names, as Discord shows it now (edits and updates applied):
        the message an answer created or changed, a message payload's id, or an id."""
        if isinstance(target, CallbackResult):
            message_id = target.message_id
            if message_id is None:
                raise LookupError(f"that answer made no message: {target.record.key} {target.body}")
        elif isinstance(target, dict):
            message_id = str(target["id"])
        else:
            message_id = str(target)
        found = self.interactions.messages.get(message_id)
        if found is None:
            gone = message_id in self.interactions.deleted
            raise LookupError(
                f"message {message_id} was deleted"
                if gone
                else f"the bot's answers made no message {message_id}"
            )
        return found

    def buttons(self, target: Clickable) -> dict[str, JSON]:
        """The buttons of the message ``target`` names, as shown now, by label:
        ``{"Next": {"custom_id": …, "disabled": False, "style": 2, "id": 2}}``."""
        return components.buttons(self.message(target).get("components"))

    def build_click(
        self,
        target: Clickable,
        custom_id: str,
        *,
        user_id: int | None = None,
        guild: int | None = None,
        dm: bool = False,
        permissions: str | None = None,
    ) -> JSON:
        """The ``INTERACTION_CREATE`` (type 3) of ``user_id`` clicking the button ``custom_id``
        on the message ``target`` names, carrying that message as Discord shows it now.

        The click happens where the message is: ``guild`` and ``dm``, if given, must say the
        same. It fails with ``AssertionError`` where Discord offers no such click: a custom id
        the message does not show, a disabled, link or premium button, or another person's
        ephemeral message; with ``LookupError`` for a message deleted, never made, or in a
        guild the bot left.
        """
        shown = self.message(target)
        in_guild = shown.get("guild_id")
        if in_guild is None:
            if guild is not None or permissions is not None:
                raise ValueError(
                    f"message {shown['id']} is in the bot's DM: no guild, no member permissions"
                )
        else:
            if dm:
                raise ValueError(f"message {shown['id']} is in guild {in_guild}, not in a DM")
            if guild is not None and str(guild) != str(in_guild):
                raise ValueError(f"message {shown['id']} is in guild {in_guild}, not {guild}")
            if int(in_guild) not in self.joined:
                raise LookupError(f"the bot is not in guild {in_guild}: nobody can click there")
        if why := components.click_refusal(shown.get("components"), custom_id):
            raise AssertionError(f"Discord would not send this click: {why}")
        clicker = self.world.user_id if user_id is None else user_id
        if int(shown.get("flags") or 0) & EPHEMERAL:
            asker = str(shown["interaction_metadata"]["user"]["id"])
            if asker != str(clicker):
                raise AssertionError(
                    f"Discord would not send this click: message {shown['id']} is ephemeral, "
                    f"seen only by {asker}, not by {clicker}"
                )
        return payloads.component_interaction(
            self.world,
            message=copy.deepcopy(shown),
            custom_id=custom_id,
            permissions=payloads.MEMBER_PERMISSIONS if permissions is None else permissions,
            user_id=clicker,
        )

    async def click(
        self,
        target: Clickable,
        custom_id: str,
        *,
        user_id: int | None = None,
        guild: int | None = None,
        dm: bool = False,
        permissions: str | None = None,
    ) -> str:
        """Click the button ``custom_id`` on the message ``target`` names (see
        :meth:`build_click`); returns the interaction id. Who: ``user_id`` (default
        ``world.user_id``) with ``permissions`` (default ``payloads.MEMBER_PERMISSIONS``)."""
        payload = self.build_click(
            target, custom_id, user_id=user_id, guild=guild, dm=dm, permissions=permissions
        )
        return await self.dispatch_interaction(payload)

    async def press(
        self,
        target: Clickable,
        custom_id: str,
        *,
        timeout: float = 3.0,  # noqa: ASYNC109
        user_id: int | None = None,
        guild: int | None = None,
        dm: bool = False,
        permissions: str | None = None,
    ) -> CallbackResult:
        """:meth:`click`, then :meth:`wait_for_response`: the bot's answer to the click (7
        changes the message clicked; 4 is a new message; 6 defers a change)."""
        clicked = await self.click(
            target, custom_id, user_id=user_id, guild=guild, dm=dm, permissions=permissions
        )
        return await self.wait_for_response(clicked, timeout=timeout)

    def _settled_callback(self, ids: set[str]) -> Predicate:
        def settled(r: Recorded) -> bool:
            mine = r.key == CALLBACK and r.match.get("interaction_id") in ids
            return mine and r.status is not None and r.status != 429 and r.status < 500

        return settled

    def _result(self, record: Recorded) -> CallbackResult:
        if record.status is not None and record.status >= 300:
            raise AssertionError(refusal("callback", record))
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
        since = self.interactions.by_id[interaction_id].recorded_before
        (record,) = await self.wait_for(settled, timeout=timeout, since=since)
        return self._result(record)

    async def wait_for_responses(
        self,
        interaction_ids: list[str],
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[CallbackResult]:
        """:meth:`wait_for_response` for many interactions at once, in the order given."""
        settled = self._settled_callback(set(interaction_ids))
        dispatched = (self.interactions.by_id[i] for i in interaction_ids)
        since = min((item.recorded_before for item in dispatched), default=0)
        count = len(interaction_ids)
        records = await self.wait_for(settled, timeout=timeout, count=count, since=since)
        by_id = {r.match["interaction_id"]: self._result(r) for r in records}
        return [by_id[i] for i in interaction_ids]

    async def ask(self, name: str, /, *, timeout: float = 3.0, **options: Any) -> CallbackResult:  # noqa: ASYNC109
        """:meth:`invoke` (with :class:`Invocation`'s keywords and ``via_shard``), then
        :meth:`wait_for_response`."""
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
            raise AssertionError(refusal("followup", record))
        dispatched = self.interactions.by_id[interaction_id].dispatched_at
        return CallbackResult(record, record.at - dispatched)
