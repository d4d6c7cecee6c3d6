"""Run a bot module against the stand-in: ``python -m tests.e2e.launch [module]`` (default ``bot``).

The only test hook. It points discord.py's REST base (which the webhook adapter shares, so
interaction callbacks too) and its default gateway address at the stand-in named by
``GRIDBOT_E2E_STANDIN``, then runs the module exactly as ``python -m <module>`` would.
"""

from __future__ import annotations

import os
import runpy
import sys

import discord.gateway
import discord.http
import yarl

ENV = "GRIDBOT_E2E_STANDIN"


def point_at(base: str) -> None:
    """Send discord.py's REST calls and gateway connections to ``base`` (``http://127.0.0.1:PORT``)."""
    url = yarl.URL(base)
    discord.http.Route.BASE = str(url / "api" / "v10")
    # A plain ``Client`` never asks ``GET /gateway/bot``; it dials this address, then the
    # ``resume_gateway_url`` from READY.
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = url.with_scheme("ws") / "gateway"


def main() -> None:
    point_at(os.environ[ENV])
    module = sys.argv[1] if len(sys.argv) > 1 else "bot"
    sys.argv = [module, *sys.argv[2:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
