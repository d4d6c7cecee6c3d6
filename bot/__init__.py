"""Gridbot: a Discord bot that answers questions about motorsport qualifying grids."""

__version__ = "0.1.0"
