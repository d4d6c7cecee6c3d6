"""Alembic is imported only to migrate: a bot on an up-to-date database does without it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.storage.migrate import HEAD, head

REPO = Path(__file__).resolve().parents[1]


def test_head_is_alembics_own_answer() -> None:
    assert head() == HEAD, "a new migration: set migrate.HEAD to its revision"


@pytest.mark.asyncio
async def test_an_up_to_date_database_starts_without_alembic(database_url: str) -> None:
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from bot.storage.database import connect, parse_url
        from bot.storage.migrate import upgrade

        async def main():
            engine = await connect(parse_url({database_url!r}), attempts=1)
            first = await upgrade(engine)
            loaded = "alembic" in sys.modules
            for name in [m for m in sys.modules if m == "alembic" or m.startswith("alembic.")]:
                del sys.modules[name]
            second = await upgrade(engine)
            await engine.dispose()
            print(first, loaded, second, "alembic" in sys.modules)

        asyncio.run(main())
        """
    )
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "(None,",
        f"'{HEAD}')",
        "True",
        f"('{HEAD}',",
        f"'{HEAD}')",
        "False",
    ]
