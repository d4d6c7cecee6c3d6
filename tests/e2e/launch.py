"""Run a bot module against the stand-in: ``python -m tests.e2e.launch [module]`` (default ``bot``).

The only test hook. It points discord.py's REST base (which the webhook adapter shares, so
interaction callbacks too) and its default gateway address at the stand-in named by
``GRIDBOT_E2E_STANDIN``, then runs the module exactly as ``python -m <module>`` would.

With ``GRIDBOT_E2E_PLAIN=1`` the module runs as on a plain ``pip install discord.py``: the
packages of ``discord.py[speed]`` and uvloop cannot be imported (each one a
``ModuleNotFoundError``, as when it is not installed), so discord.py and aiohttp fall back to
the standard library's json and zlib, the threaded resolver, and asyncio's own loop. The
benchmark's plain floor runs so, from the same installation as everything else.
``GRIDBOT_E2E_BLOCK=aiodns,uvloop`` makes only the packages named so, to find which one
matters. ``GRIDBOT_E2E_IMPORT=bot.app`` imports the modules named so first, and keeps them: a
floor carrying the bot's libraries, resident and unused, to tell what their weight costs.
"""

from __future__ import annotations

import importlib
import os
import runpy
import sys
from collections.abc import Mapping, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

ENV = "GRIDBOT_E2E_STANDIN"
PLAIN = "GRIDBOT_E2E_PLAIN"
BLOCK = "GRIDBOT_E2E_BLOCK"
IMPORT = "GRIDBOT_E2E_IMPORT"

SPEED_PACKAGES = frozenset(
    {"orjson", "zstandard", "aiodns", "pycares", "brotli", "brotlicffi", "uvloop"}
)
"""What ``discord.py[speed]`` (and its dependencies) and uvloop add to a plain discord.py."""


class NotInstalled:
    """A finder, first on ``sys.meta_path``, for which ``packages`` are not there."""

    def __init__(self, packages: frozenset[str]) -> None:
        self.packages = packages

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name.partition(".")[0] in self.packages:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def blocked(environ: Mapping[str, str]) -> frozenset[str]:
    """The packages this run must do without: ``PLAIN``'s and ``BLOCK``'s."""
    named = {name.strip() for name in environ.get(BLOCK, "").split(",") if name.strip()}
    return (SPEED_PACKAGES if environ.get(PLAIN) == "1" else frozenset()) | named


def point_at(base: str) -> None:
    """Send discord.py's REST calls and gateway connections to ``base`` (``http://127.0.0.1:PORT``)."""
    import discord.gateway
    import discord.http
    import yarl

    url = yarl.URL(base)
    discord.http.Route.BASE = str(url / "api" / "v10")
    # A plain ``Client`` never asks ``GET /gateway/bot``; it dials this address, then the
    # ``resume_gateway_url`` from READY.
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = url.with_scheme("ws") / "gateway"


def main() -> None:
    if packages := blocked(os.environ):
        sys.meta_path.insert(0, NotInstalled(packages))
    point_at(os.environ[ENV])
    for name in os.environ.get(IMPORT, "").split(","):
        if name.strip():
            importlib.import_module(name.strip())
    module = sys.argv[1] if len(sys.argv) > 1 else "bot"
    sys.argv = [module, *sys.argv[2:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
