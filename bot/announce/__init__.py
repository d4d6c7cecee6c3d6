"""Announcements of new results in the channels servers chose with ``/settings``: the card,
the chart and the buttons (:mod:`bot.announce.post`), claimed and rate-limited posting
(:mod:`bot.announce.announcer`)."""
