"""Slash commands, one module per command; each is an extension with ``setup(bot)``."""
