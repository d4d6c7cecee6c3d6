"""Previous/Next pages whose buttons carry everything they need in their custom id, so they
work for as long as the message exists, across restarts, in constant memory.

A custom id is ``gb:<kind><dir>:<grid>:<page>:<owner>``: the kind of answer (``t`` the whole
grid, ``e`` the events list), which way the button turns, the grid as served (a key token and
the source digest, see :meth:`Catalog.token_of`), the page it shows, and the one person who may
turn it. A click rebuilds that page from the grid; nothing is kept per message.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.core.answers import TableAnswer
from bot.core.library import LibraryView
from bot.core.model import Grid
from bot.render.cards import Card
from bot.render.embed import to_embed
from bot.rendered import rendered_answers, rendered_events
from bot.tenancy import library_of

TABLE, EVENTS = "t", "e"
CUSTOM_ID = re.compile(
    r"gb:(?P<kind>[te])(?P<way>[pn]):(?P<grid>[0-9a-f]{0,20}):(?P<page>\d{1,4}):(?P<owner>\d{1,20})"
)
REFUSAL = "Only the person who asked can turn these pages; use `/grid` for your own copy."


class PageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=CUSTOM_ID):
    """One Previous or Next button, rebuilt from its custom id when clicked."""

    def __init__(
        self, kind: str, way: str, grid: str, page: int, owner: int, *, disabled: bool = False
    ) -> None:
        self.kind, self.way, self.grid, self.page, self.owner = kind, way, grid, page, owner
        super().__init__(
            discord.ui.Button(
                label="Previous" if way == "p" else "Next",
                style=discord.ButtonStyle.secondary,
                custom_id=f"gb:{kind}{way}:{grid}:{page}:{owner}",
                disabled=disabled,
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> PageButton:
        return cls(
            match["kind"], match["way"], match["grid"], int(match["page"]), int(match["owner"])
        )

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.user.id == self.owner:
            return True
        await interaction.response.send_message(REFUSAL, ephemeral=True)
        return False

    async def callback(self, interaction: discord.Interaction) -> None:
        library = await library_of(interaction)
        if self.kind == EVENTS:
            cards, _ = await rendered_events.of(library)
            await turn(interaction, cards, self.page, EVENTS, "", self.owner)
            return
        key, grid = library.catalog.by_token(self.grid)
        if grid is not None:
            cards = await whole_grid(grid)
            await turn(interaction, cards, self.page, TABLE, self.grid, self.owner)
            return
        await explain_stale(interaction, library, key, self.owner)


async def whole_grid(grid: Grid) -> list[Card]:
    """The pages of ``/grid`` with no position: rendered once, as the command renders them."""
    cards, _ = await rendered_answers.get(grid, ("grid", None), lambda: TableAnswer(grid))
    return cards


def buttons(kind: str, grid: str, page: int, pages: int, owner: int) -> discord.ui.View | None:
    """Previous and Next for ``page`` (0-based) of ``pages``; none for a single page."""
    if pages < 2:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(PageButton(kind, "p", grid, max(page - 1, 0), owner, disabled=page == 0))
    view.add_item(
        PageButton(kind, "n", grid, min(page + 1, pages - 1), owner, disabled=page >= pages - 1)
    )
    view.stop()  # the bot listens through the dynamic item, not through this view
    return view


async def turn(
    interaction: discord.Interaction,
    cards: list[Card],
    page: int,
    kind: str,
    grid: str,
    owner: int,
) -> None:
    """Show ``page`` in place (the grid may have fewer pages than when the button was made)."""
    page = max(0, min(page, len(cards) - 1))
    view = buttons(kind, grid, page, len(cards), owner)
    await interaction.response.edit_message(embed=to_embed(cards[page]), view=view)


async def explain_stale(
    interaction: discord.Interaction, library: LibraryView, key: str | None, owner: int
) -> None:
    """A click on a grid that is no longer served as it was: say what happened, privately,
    with the current grid when there is one."""
    if key is None:
        await interaction.response.send_message(
            "That grid is no longer served here, so its pages cannot turn. "
            "/events lists the grids you can ask about.",
            ephemeral=True,
        )
        return
    current = library.catalog.grids[key]
    since = library.since(key)
    when = f" on <t:{int(since.timestamp())}:f>" if since else ""
    cards = await whole_grid(current)
    token = library.catalog.token_of(key)
    await interaction.response.send_message(
        f"This grid was replaced{when}; here is the current one.",
        embed=to_embed(cards[0]),
        view=buttons(TABLE, token, 0, len(cards), owner) or discord.utils.MISSING,
        ephemeral=True,
    )


async def send_pages(
    interaction: discord.Interaction,
    cards: list[Card],
    first: discord.Embed | None = None,
    *,
    ephemeral: bool = False,
    grid: str = "",
) -> None:
    """Send the first card (``first``, if already made an embed), with buttons for the rest:
    pages of the grid named by ``grid`` (a :meth:`Catalog.token_of`), else of the events."""
    embed = first if first is not None else to_embed(cards[0])
    view = buttons(TABLE if grid else EVENTS, grid, 0, len(cards), interaction.user.id)
    # A followup once the answer was deferred (bot.tenancy.DEFER_AFTER).
    done = interaction.response.is_done()
    send = interaction.followup.send if done else interaction.response.send_message
    await send(embed=embed, view=view or discord.utils.MISSING, ephemeral=ephemeral)
