"""The core and the card renderers never import discord: checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.core_fixtures import ROOT

PROBE = """
import importlib, json, pkgutil, sys
import bot.core
names = sorted(m.name for m in pkgutil.walk_packages(bot.core.__path__, "bot.core."))
names += {extra!r}
for name in names:
    importlib.import_module(name)
print(json.dumps({{
    "imported": names,
    "discord": sorted(m for m in sys.modules if m == "discord" or m.startswith("discord.")),
}}))
"""


def probe(*extra: str) -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(extra=list(extra))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found: dict[str, list[str]] = json.loads(result.stdout)
    return found


def test_the_core_and_the_card_renderers_never_import_discord() -> None:
    found = probe("bot.render.cards", "bot.render.text")
    assert {
        "bot.core.errors",
        "bot.core.model",
        "bot.core.times",
        "bot.core.parser",
        "bot.core.loader",
        "bot.core.lookup",
        "bot.core.queries",
        "bot.render.cards",
        "bot.render.text",
    } <= set(found["imported"])
    assert found["discord"] == []


def test_the_probe_sees_discord_when_it_is_imported() -> None:
    found = probe("bot.render.embed")
    assert "discord" in found["discord"]


def test_the_watcher_and_the_announcer_never_import_discord() -> None:
    found = probe("bot.watch.watcher", "bot.announce.announcer", "bot.render.announce")
    assert {"bot.watch.watcher", "bot.announce.announcer", "bot.render.announce"} <= set(
        found["imported"]
    )
    assert found["discord"] == []
