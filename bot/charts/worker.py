"""Imported once by the chart processes' fork server, so that every drawing process starts
with matplotlib already loaded (and shares its pages with the others) instead of importing
it on its first chart. Never imported by the bot's own process."""

from __future__ import annotations

import matplotlib.text
import matplotlib.ticker  # noqa: F401
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
from matplotlib.figure import Figure  # noqa: F401

import bot.charts.draw  # noqa: F401
