"""``/chart``: the grid's gaps to pole as a picture.

``data`` turns a grid into the chart's content (pure), ``summary`` into a card and alt text,
``draw`` into a PNG (matplotlib, imported only when the first chart is drawn), ``cache`` keeps
rendered charts and renders off the event loop, ``offline`` answers ``ask "/chart"``.
Nothing here but ``draw`` knows of matplotlib, and nothing here imports discord.
"""
