"""An announcement as Discord shows it: the card of the new session, its chart as an image,
and the buttons for the whole grid and the chart; sent to a channel with the nonce that
makes Discord keep one message however many times it is sent."""

from __future__ import annotations

import asyncio
import io
import logging

import discord

from bot.announce.announcer import Refused, Session, Undeliverable
from bot.announce.buttons import CHART_FILE, chart_cache, open_buttons
from bot.charts.cache import BUSY
from bot.charts.data import ChartData, chart_data
from bot.charts.summary import alt_text
from bot.core.errors import QueryError
from bot.core.model import Grid
from bot.core.queries import announcement
from bot.render.announce import announcement_card
from bot.render.embed import to_embed

log = logging.getLogger("gridbot.announce")

PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, embed_links=True, attach_files=True
)
"""What posting an announcement needs in its channel (answering commands needs none)."""
PERMISSION_NAMES = "View Channel, Send Messages, Embed Links and Attach Files"
CHART_TRIES = 5
"""Times a chart is asked for while every chart worker is busy, a second apart."""
UNKNOWN_CHANNEL = 10003


def invite_url(application_id: int, *, announcing: bool) -> str:
    """The link that adds the bot to a server: slash commands, and for announcements the
    permissions posting needs."""
    url = (
        "https://discord.com/oauth2/authorize"
        f"?client_id={application_id}&scope=bot+applications.commands"
    )
    return url + (f"&permissions={PERMISSIONS.value}" if announcing else "")


class DiscordPoster:
    """Posts announcements through ``client``'s HTTP session (no gateway needed: the process
    that posts may not run the shard of the server it posts in)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def post(self, guild_id: int, channel_id: int, session: Session, nonce: int) -> int:
        grid = session.grid
        embed = to_embed(announcement_card(announcement(grid)))
        data = chart_data(grid)
        png = await self._chart(session, data)
        files = []
        if png is not None:
            embed.set_image(url=f"attachment://{CHART_FILE}")
            files.append(discord.File(io.BytesIO(png), CHART_FILE, description=alt_text(data)))
        channel = self.client.get_partial_messageable(
            channel_id, guild_id=guild_id, type=discord.ChannelType.text
        )
        try:
            message = await channel.send(
                embed=embed, files=files, view=open_buttons(session.token), nonce=nonce
            )
        except discord.Forbidden as error:
            raise Refused(
                f"Discord refused the post ({error.status}: {error.text or 'Missing Access'}); "
                f"posting needs {PERMISSION_NAMES}"
            ) from None
        except discord.NotFound as error:
            if error.code == UNKNOWN_CHANNEL:
                raise Refused("the channel no longer exists; choose another one") from None
            raise Undeliverable(f"{error.status}: {error.text}") from None
        except discord.HTTPException as error:
            if 400 <= error.status < 500 and error.status != 429:
                raise Undeliverable(f"{error.status}: {error.text}") from None
            raise  # a rate limit that outlasted discord.py's retries, a 5xx: try again
        return message.id

    async def warm(self, grid: Grid) -> None:
        """Start the chart workers before the first announcement needs one."""
        try:
            await chart_cache(self.client).warm(grid)
        except QueryError as error:
            log.warning("the chart workers did not start: %s", error)

    async def _chart(self, session: Session, data: ChartData) -> bytes | None:
        """The chart's PNG, drawn (or found) by the cache ``/chart`` uses; ``None`` when it
        cannot be drawn, and the announcement goes without it."""
        cache = chart_cache(self.client)
        for _ in range(CHART_TRIES):
            try:
                return await cache.png(session.grid, data, "announcements")
            except QueryError as error:
                if str(error) != BUSY:
                    log.warning("no chart for %s: %s", session.grid.meta.title, error)
                    return None
            await asyncio.sleep(1.0)
        log.warning("no chart for %s: every chart worker stayed busy", session.grid.meta.title)
        return None
