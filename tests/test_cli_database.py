"""Starting against a database that cannot be used: each stops with its reason, the URL shown
without its password; a server that does not answer yet is waited for."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import EXIT_CONFIG, EXIT_DATABASE, main
from tests.conftest import DATA, ROOT
from tests.test_cli import FAKE_TOKEN

SECRET = "pa55-not-shown"


@pytest.fixture(autouse=True)
def starting(no_settings: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GRIDBOT_DATA_DIR", str(DATA))
    monkeypatch.setenv("GRIDBOT_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("DISCORD_TOKEN", FAKE_TOKEN)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))


def test_a_malformed_url_is_a_settings_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", f"mysql://gridbot:{SECRET}@db/gridbot")
    assert main([]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert "GRIDBOT_DATABASE_URL" in err and "SQLite and PostgreSQL" in err
    assert SECRET not in err and "gridbot:***@db" in err


def test_a_database_from_a_newer_gridbot_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["db", "upgrade"]) == 0
    database = tmp_path / "state" / "gridbot.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    capsys.readouterr()
    assert main([]) == EXIT_DATABASE
    err = capsys.readouterr().err
    assert "9999" in err and "newer Gridbot" in err and str(database) in err


def test_db_upgrade_and_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "current"]) == 0
    assert "at revision none (empty)" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert "(was empty)" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert "(up to date)" in capsys.readouterr().out


def test_an_unwritable_state_dir_names_the_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRIDBOT_STATE_DIR", "/dev/null/state")
    assert main([]) == EXIT_DATABASE
    err = capsys.readouterr().err
    assert "Cannot start" in err and "/dev/null/state" in err
    assert "Traceback" not in err


def test_a_database_server_that_does_not_answer_is_waited_for(tmp_path: Path) -> None:
    """Nothing listens on port 9 of the loopback: the bot logs each try and keeps trying."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "DISCORD_TOKEN": FAKE_TOKEN,
        "GRIDBOT_DATA_DIR": str(DATA),
        "GRIDBOT_STATE_DIR": str(tmp_path / "state"),
        "GRIDBOT_DATABASE_URL": f"postgresql://gridbot:{SECRET}@127.0.0.1:9/gridbot",
    }
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert bot.stderr is not None
    tries = []
    try:
        for line in bot.stderr:  # ends if the bot exits: then the assertion below fails
            if "trying again in" in line:
                tries.append(line)
                if len(tries) == 2:
                    break
    finally:
        bot.kill()
        bot.wait(timeout=30)
    assert len(tries) == 2, "the bot gave up instead of waiting for the database"
    assert "cannot reach the database at postgresql" in tries[0]
    assert SECRET not in "".join(tries) and "gridbot:***@127.0.0.1:9" in tries[0]
