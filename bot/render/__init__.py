"""Renderers: answer → :class:`~bot.render.cards.Card` → Discord embed or plain text."""
