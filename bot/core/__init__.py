"""The Discord-free core: parsing, the grid model, lookups and gap arithmetic.

Nothing under ``bot.core`` imports ``discord``; a test enforces it.
"""
