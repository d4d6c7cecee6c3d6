"""Every setting the bot reads is documented in .env.example and the README."""

from __future__ import annotations

import pytest

from bot.settings import VARIABLES
from tests.conftest import ROOT

NAMES = sorted(name for name, _parse in VARIABLES.values())


@pytest.mark.parametrize("name", NAMES)
def test_env_example_lists_the_setting(name: str) -> None:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith(f"{name}=") for line in lines)


@pytest.mark.parametrize("name", NAMES)
def test_readme_names_the_setting(name: str) -> None:
    assert f"`{name}`" in (ROOT / "README.md").read_text(encoding="utf-8")
