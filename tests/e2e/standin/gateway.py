"""Discord's gateway: HELLO, heartbeats, IDENTIFY/READY, RESUME with replay, and its faults.

Transport compression as Discord offers it: none, ``zlib-stream`` (discord.py's choice without
zstandard) or ``zstd-stream`` (its choice with ``discord.py[speed]``), one stream per connection
flushed after every frame.

Shards: a session identified with ``shard: [id, count]`` is that shard. It is sent only the
guilds of that shard, ``(guild_id >> 22) % count == id``, and every event of a guild goes to the
session of its shard (events without a guild, DMs among them, to shard 0), as Discord routes
them. A session identified without ``shard`` is shard 0 of 1 and gets every guild. When the
stand-in says there are several shards (``shard_count``), an IDENTIFY without ``shard`` is
closed with 4011 (sharding required) and one with a shard outside ``[0, count)`` with 4010.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from aiohttp import WSMsgType, web

from . import codec, payloads
from .recorder import Recorded, Recorder
from .snowflakes import session_id

JSON = dict[str, Any]

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE, RESUME, RECONNECT = 0, 1, 2, 3, 4, 6, 7
REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11
OP_NAMES = {
    HEARTBEAT: "HEARTBEAT",
    IDENTIFY: "IDENTIFY",
    PRESENCE: "PRESENCE_UPDATE",
    VOICE: "VOICE_STATE_UPDATE",
    RESUME: "RESUME",
    REQUEST_MEMBERS: "REQUEST_GUILD_MEMBERS",
}


class Compressor(Protocol):
    def pack(self, data: bytes, /) -> bytes:
        """``data`` compressed and flushed: everything the reader needs to decode it now."""


class ZlibStream:
    def __init__(self) -> None:
        self._stream = zlib.compressobj()

    def pack(self, data: bytes, /) -> bytes:
        return self._stream.compress(data) + self._stream.flush(zlib.Z_SYNC_FLUSH)


class ZstdStream:
    """One zstd frame per connection, a block flushed after each message (Python 3.14's
    ``compression.zstd``, else the ``zstandard`` package, as discord.py reads it)."""

    def __init__(self) -> None:
        self._pack: Callable[[bytes], bytes]
        try:  # Python 3.14 and later
            from compression.zstd import ZstdCompressor  # type: ignore[import-not-found,unused-ignore]

            compressor = ZstdCompressor()
            self._pack = partial(compressor.compress, mode=ZstdCompressor.FLUSH_BLOCK)
        except ImportError:
            import zstandard

            stream = zstandard.ZstdCompressor().compressobj()
            flush = zstandard.COMPRESSOBJ_FLUSH_BLOCK
            self._pack = lambda data: stream.compress(data) + stream.flush(flush)

    def pack(self, data: bytes, /) -> bytes:
        return self._pack(data)


COMPRESSORS: dict[str, type[Compressor]] = {"zlib-stream": ZlibStream, "zstd-stream": ZstdStream}
"""The ``compress`` query values the gateway accepts, and what each sends."""


@dataclass
class Connection:
    number: int
    ws: web.WebSocketResponse
    request: web.Request
    compressor: Compressor | None = None
    session: Session | None = None
    closed_by: str = "client"
    """Who ended the connection: ``client``, ``server`` (a close frame) or ``abort`` (TCP cut)."""

    sent_code: int | None = None

    async def close(self, code: int, reason: bytes) -> None:
        self.closed_by, self.sent_code = "server", code
        await self.ws.close(code=code, message=reason)

    @property
    def close_code(self) -> int | None:
        """The code of the first close frame: the stand-in's if it closed, else the bot's."""
        return self.sent_code if self.closed_by == "server" else self.ws.close_code

    async def send(self, frame: JSON) -> None:
        data = codec.dumps(frame)
        if self.compressor is None:
            await self.ws.send_str(data.decode())
        else:
            await self.ws.send_bytes(self.compressor.pack(data))


def shard_of(guild_id: int, count: int) -> int:
    """The shard that receives a guild's events (Discord's formula)."""
    return (guild_id >> 22) % count


@dataclass
class Session:
    id: str
    seq: int = 0
    history: list[JSON] = field(default_factory=list)
    connection: Connection | None = None
    valid: bool = True
    introduced: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once READY and every guild's GUILD_CREATE have been sent."""
    shard: tuple[int, int] = (0, 1)
    """``[id, count]`` as identified; ``(0, 1)`` when the IDENTIFY named no shard."""

    def serves(self, guild_id: int | None) -> bool:
        """Whether this session's shard receives the events of ``guild_id`` (``None``: no
        guild, which is shard 0's)."""
        number, count = self.shard
        return number == (0 if guild_id is None else shard_of(guild_id, count))

    async def dispatch(self, event: str, data: JSON) -> int:
        """Sequence the event and send it now, or keep it for the replay when the bot resumes."""
        self.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.history.append(frame)
        if self.connection is not None and not self.connection.ws.closed:
            try:
                await self.connection.send(frame)
            except ConnectionResetError:
                self.connection = None  # it stays in the history, for the replay
        return self.seq


class Gateway:
    def __init__(
        self,
        world: payloads.World,
        recorder: Recorder,
        *,
        heartbeat_interval: int = 41250,
        joined: set[int] | None = None,
        shard_count: int = 1,
    ) -> None:
        self.world = world
        self.recorder = recorder
        self.heartbeat_interval = heartbeat_interval
        self.joined = joined if joined is not None else set(world.guild_ids)
        """The guilds the bot is in: listed in READY, each sent as GUILD_CREATE after it."""
        self.joined_at = {g: world.joined_at for g in world.guild_ids}
        self.base_url = ""
        """``ws://host:port``; set by the server once it is listening."""
        self.sessions: dict[str, Session] = {}
        self.current: Session | None = None
        self._identified = asyncio.Event()
        self.connections: list[Connection] = []
        self.refusing = False
        """While true, every new connection is refused (HTTP 503, recorded as ``WS REFUSED``):
        Discord's gateway out of reach. Connections already open stay open."""
        self.shard_count = shard_count
        """How many shards the stand-in says the bot needs (``GET /gateway/bot``)."""
        self.shards: dict[int, Session] = {}
        """The latest session of each shard id, by shard id."""
        self._shard_identified: dict[int, asyncio.Event] = {}

    @property
    def url(self) -> str:
        """Where a fresh connection starts (what ``DEFAULT_GATEWAY`` points at in the launcher)."""
        return f"{self.base_url}/gateway"

    @property
    def resume_url(self) -> str:
        """``resume_gateway_url``: a distinct address, so tests see the bot resumes where told."""
        return f"{self.base_url}/gateway-resume"

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/gateway", self.handle), web.get("/gateway-resume", self.handle)]

    def _record(self, conn: Connection, name: str, data: Any) -> None:
        record = Recorded(
            method="WS",
            route=name,
            path=conn.request.path,
            query=dict(conn.request.query),
            headers={},
            json=data,
            match={"connection": str(conn.number)},
        )
        self.recorder.add(record)
        self.recorder.settle(record)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.refusing:
            refused = Recorded(
                method="WS",
                route="REFUSED",
                path=request.path,
                query=dict(request.query),
                headers={},
                json=None,
                match={},
            )
            self.recorder.add(refused)
            self.recorder.settle(refused)
            return web.Response(status=503, text="stand-in gateway refusing connections")
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(len(self.connections) + 1, ws, request)
        self.connections.append(conn)
        self._record(conn, "CONNECT", dict(request.query))
        query = request.query
        compress = query.get("compress")
        if query.get("encoding", "json") != "json" or (
            compress is not None and compress not in COMPRESSORS
        ):
            self._record(conn, "UNSUPPORTED", dict(query))
            await conn.close(
                4000, b"stand-in supports encoding=json, compress=zlib-stream or zstd-stream"
            )
            return ws
        if compress is not None:
            conn.compressor = COMPRESSORS[compress]()
        await conn.send(
            {
                "op": HELLO,
                "s": None,
                "t": None,
                "d": {"heartbeat_interval": self.heartbeat_interval},
            }
        )
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    await conn.close(4002, b"Error while decoding payload.")
                    break
                await self._receive(conn, msg.data)
        finally:
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
            self._record(conn, "CLOSE", {"code": conn.close_code, "by": conn.closed_by})
        return ws

    async def _receive(self, conn: Connection, text: str) -> None:
        try:
            frame = codec.loads(text)
            op, data = frame["op"], frame.get("d")
        except (ValueError, KeyError, TypeError):
            await conn.close(4002, b"Error while decoding payload.")
            return
        redacted = (
            {**frame, "d": {**data, "token": "<redacted>"}}
            if isinstance(data, dict) and "token" in data
            else frame
        )
        self._record(conn, OP_NAMES.get(op, f"OP {op}"), redacted)
        if op == HEARTBEAT:
            await conn.send({"op": HEARTBEAT_ACK, "s": None, "t": None, "d": None})
        elif op == IDENTIFY:
            await self._identify(conn, data)
        elif op == RESUME:
            await self._resume(conn, data)
        elif op not in OP_NAMES:
            await conn.close(4001, b"Unknown opcode.")
        elif conn.session is None:
            await conn.close(4003, b"Not authenticated.")

    async def _identify(self, conn: Connection, data: JSON) -> None:
        if conn.session is not None:
            await conn.close(4005, b"Already authenticated.")
            return
        if data.get("token") != self.world.token:
            await conn.close(4004, b"Authentication failed.")
            return
        if not isinstance(data.get("intents"), int):
            await conn.close(4013, b"Invalid intent(s).")
            return
        shard = data.get("shard")
        if shard is None and self.shard_count > 1:
            await conn.close(4011, b"Sharding required.")
            return
        number, count = (0, 1) if shard is None else (int(shard[0]), int(shard[1]))
        if not 0 <= number < count:
            await conn.close(4010, b"Invalid shard.")
            return
        session = Session(session_id(), shard=(number, count))
        self.sessions[session.id] = session
        self.current = session
        self.shards[number] = session
        self._identified.set()
        self._shard_event(number).set()
        session.connection = conn
        conn.session = session
        guilds = [g for g in self.world.guild_ids if g in self.joined and session.serves(g)]
        ready = payloads.ready(self.world, session.id, self.resume_url, guilds)
        if "shard" in data:  # as Discord does: READY names the shard identified
            ready["shard"] = data["shard"]
        await session.dispatch("READY", ready)
        for guild in guilds:
            await session.dispatch("GUILD_CREATE", self._guild_create(guild))
        session.introduced.set()

    async def _resume(self, conn: Connection, data: JSON) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or not session.valid or data.get("token") != self.world.token:
            await conn.send({"op": INVALID_SESSION, "s": None, "t": None, "d": False})
            return
        since = data.get("seq") or 0
        session.connection = conn
        conn.session = session
        self.current = session
        for frame in session.history:
            if frame["s"] > since:
                await conn.send(frame)
        await session.dispatch("RESUMED", {"_trace": ['["gateway-prd-standin",{"micros":1000}]']})

    def _guild_create(self, guild_id: int, *, join: bool = False) -> JSON:
        joined_at = self.joined_at[guild_id]
        return payloads.guild_create(self.world, guild_id, joined_at=joined_at, join=join)

    # What a test can make the gateway do.

    async def guild_delete(self, guild_id: int) -> int | None:
        """The bot was removed from ``guild_id``: ``GUILD_DELETE`` without ``unavailable``.

        The guild is left out of READY on a new session until :meth:`guild_create`. Returns the
        event's sequence number; ``None`` before any bot identified (only membership changes).
        """
        if guild_id not in self.world.guild_ids:
            raise LookupError(f"guild {guild_id} is not in the stand-in's world")
        self.joined.discard(guild_id)
        if self.current is None:
            return None
        return await self.dispatch(
            "GUILD_DELETE", payloads.guild_delete(guild_id), guild_id=guild_id
        )

    async def guild_create(self, guild_id: int) -> int | None:
        """The bot was added to ``guild_id`` (again): ``GUILD_CREATE`` with a new ``joined_at``.

        As :meth:`guild_delete`, only membership changes before any bot identified.
        """
        if guild_id not in self.world.guild_ids:
            raise LookupError(f"guild {guild_id} is not in the stand-in's world")
        self.joined.add(guild_id)
        self.joined_at[guild_id] = payloads.now_iso()
        if self.current is None:
            return None
        return await self.dispatch(
            "GUILD_CREATE", self._guild_create(guild_id, join=True), guild_id=guild_id
        )

    def _shard_event(self, shard: int) -> asyncio.Event:
        return self._shard_identified.setdefault(shard, asyncio.Event())

    def session_for(self, guild_id: int | None) -> Session:
        """The session that receives ``guild_id``'s events (``None``: events of no guild): its
        shard's latest session; with no sharded session, the latest session."""
        if self.current is None:
            raise RuntimeError("no gateway session to dispatch on; has the bot identified?")
        for session in self.shards.values():
            if session.serves(guild_id):
                return session
        if any(session.shard[1] > 1 for session in self.shards.values()):
            number = 0 if guild_id is None else shard_of(guild_id, self.current.shard[1])
            raise RuntimeError(f"no bot has identified as shard {number}, which has that guild")
        return self.current

    def _session(self, shard: int | None) -> Session | None:
        return self.current if shard is None else self.shards.get(shard)

    def _live(self, shard: int | None = None) -> Connection:
        session = self._session(shard)
        if session is None or session.connection is None:
            which = "" if shard is None else f" as shard {shard}"
            raise RuntimeError(f"no bot is connected to the gateway{which}")
        return session.connection

    async def caught_up(self, *, timeout: float = 5.0, shard: int | None = None) -> None:  # noqa: ASYNC109
        """Wait until the bot has read every event sent so far, READY and GUILD_CREATEs included.

        Discord's op 1 asks for a heartbeat at once; the bot reads frames in order, so its answer
        means it has taken in everything before. (Closing the socket while discord.py is still
        taking in GUILD_CREATEs can cost the bot its ``guild_ready_timeout``, 2 s, at exit.)
        ``shard``: the latest session of that shard (default: the latest session).
        """
        async with asyncio.timeout(timeout):
            if shard is None:
                await self._identified.wait()
            else:
                await self._shard_event(shard).wait()
            session = self._session(shard)
            assert session is not None
            await session.introduced.wait()
        conn = self._live(shard)
        asked = time.monotonic()
        await conn.send({"op": HEARTBEAT, "s": None, "t": None, "d": None})
        await self.recorder.wait_for(
            lambda r: (
                r.key == "WS HEARTBEAT"
                and r.match.get("connection") == str(conn.number)
                and r.at >= asked
            ),
            timeout=timeout,
        )

    async def dispatch(
        self, event: str, data: JSON, *, guild_id: int | None = None, shard: int | None = None
    ) -> int:
        """Send ``event`` on the session of ``shard`` if given, else on the session of
        ``guild_id``'s shard (with no sharded session: the latest session)."""
        if self.current is None:
            raise RuntimeError("no gateway session to dispatch on; has the bot identified?")
        if shard is not None:
            session = self.shards.get(shard)
            if session is None:
                raise RuntimeError(f"no bot has identified as shard {shard}")
        else:
            session = self.session_for(guild_id)
        return await session.dispatch(event, data)

    def sent_guilds(self, shard: int) -> set[int]:
        """The guilds whose GUILD_CREATE the latest session of ``shard`` was sent."""
        session = self.shards.get(shard)
        history = [] if session is None else session.history
        return {int(f["d"]["id"]) for f in history if f["t"] == "GUILD_CREATE"}

    async def close(self, code: int = 4000, *, shard: int | None = None) -> None:
        """Close the socket from Discord's side with ``code``; the session stays resumable.
        ``shard``: that shard's connection (default: the latest session's)."""
        await self._live(shard).close(code, b"stand-in close")

    async def drop(self, *, shard: int | None = None) -> None:
        """Cut the TCP connection with no close frame, as a network failure would.
        ``shard``: that shard's connection (default: the latest session's)."""
        conn = self._live(shard)
        conn.closed_by = "abort"
        if conn.session is not None:
            conn.session.connection = None
        transport = conn.request.transport
        assert transport is not None
        transport.abort()

    async def reconnect(self, *, shard: int | None = None) -> None:
        """Op 7: ask the bot to reconnect and resume."""
        await self._live(shard).send({"op": RECONNECT, "s": None, "t": None, "d": None})

    async def invalidate(self, *, resumable: bool = False, shard: int | None = None) -> None:
        """Op 9: the session is gone (``resumable=False``), so the bot must IDENTIFY again."""
        conn = self._live(shard)
        if not resumable and conn.session is not None:
            conn.session.valid = False
        await conn.send({"op": INVALID_SESSION, "s": None, "t": None, "d": resumable})
