"""Watched results folders (``GRIDBOT_WATCH_DIRS``): new and changed files are read once
complete, served at once, and announced (:mod:`bot.announce`)."""
