"""The event loop: uvloop where installed, asyncio's own when it is not or is turned off."""

from __future__ import annotations

import asyncio
import sys

import pytest

from bot import loop
from bot.settings import Settings, SettingsError

HAS_UVLOOP = sys.platform != "win32"
"""Where pyproject.toml's marker installs uvloop (everywhere but Windows)."""


def load(**environ: str) -> Settings:
    return Settings.load(environ=environ, env_file=None)


async def running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def is_uvloop(running: asyncio.AbstractEventLoop) -> bool:
    return type(running).__module__.partition(".")[0] == "uvloop"


def test_uvloop_is_on_unless_turned_off() -> None:
    assert load().uvloop is True
    assert load(GRIDBOT_UVLOOP="off").uvloop is False
    assert load(GRIDBOT_UVLOOP=" ON ").uvloop is True
    assert load(GRIDBOT_UVLOOP="").uvloop is True, "empty, as copied from .env.example"


def test_a_bad_switch_is_named() -> None:
    with pytest.raises(SettingsError) as refused:
        load(GRIDBOT_UVLOOP="fast")
    assert str(refused.value) == "GRIDBOT_UVLOOP must be on or off, not 'fast'"


def test_runs_on_uvloop_where_it_is_installed() -> None:
    chosen = loop.choose(True)

    if HAS_UVLOOP:
        assert chosen.description.startswith("uvloop 0.")
        assert is_uvloop(loop.run(running_loop(), chosen))
    else:
        assert chosen.description == "asyncio (uvloop is not installed)"
        assert not is_uvloop(loop.run(running_loop(), chosen))


def test_turned_off_runs_on_asyncios_loop() -> None:
    chosen = loop.choose(False)

    assert chosen.description == "asyncio (uvloop turned off: GRIDBOT_UVLOOP=off)"
    assert not is_uvloop(loop.run(running_loop(), chosen))


def test_without_uvloop_installed_runs_on_asyncios_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # import uvloop: ImportError

    chosen = loop.choose(True)

    assert chosen.description == "asyncio (uvloop is not installed)"
    assert not is_uvloop(loop.run(running_loop(), chosen))
