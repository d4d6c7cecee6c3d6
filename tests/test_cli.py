"""The command line as a newcomer meets it: offline answers, a missing token, a bad data file."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings
from tests.conftest import DATA, ROOT, SEED

FAKE_TOKEN = "XTExMTExMTExMTExMTExMTEx.Gabcde.this-is-not-a-real-token-000000000000"


@pytest.fixture(autouse=True)
def clean_env(no_settings: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the settings a test sets, the seed data, and the logging set-up restored after."""
    monkeypatch.setenv("GRIDBOT_DATA_DIR", str(DATA))
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))


def test_ask_grid_5(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "/grid 5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("P5 · #14 MG Lola EX257\n")
    assert "RML" in out and "Best lap: 1:29.533" in out
    assert "\\" not in out and "**" not in out, "terminal output carries no Markdown"


def test_ask_gap_and_team(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "/gap 8 14"]) == 0
    assert "#8 was faster by 1.153 s (1.305 %)." in capsys.readouterr().out
    assert main(["ask", "/team", "noel", "del", "bello"]) == 0
    assert "Noël del Bello" in capsys.readouterr().out


def test_ask_error_exits_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "/grid 35"]) == 1
    assert capsys.readouterr().err == "Sorry: The grid has 34 cars; pick 1–34.\n"
    assert main(["ask", "/nope"]) == 1
    assert capsys.readouterr().err.startswith("Sorry: There is no /nope command;")


def test_no_token_explains_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN" in err and ".env.example" in err
    assert 'python -m bot ask "/grid 5"' in err


def test_blank_token_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "  ")
    assert Settings.load().discord_token is None


def test_token_never_shown_by_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", FAKE_TOKEN)
    settings = Settings.load()
    assert FAKE_TOKEN not in repr(settings) and FAKE_TOKEN not in str(vars(settings))
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == FAKE_TOKEN


def test_bad_data_file_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "grids" / "broken.md"
    bad.parent.mkdir()
    lines = SEED.read_text(encoding="utf-8").splitlines()
    lines[7] = lines[7].replace("1:31.4800", "1:31,48")
    bad.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setenv("GRIDBOT_DATA_DIR", str(bad.parent))
    monkeypatch.setenv("DISCORD_TOKEN", FAKE_TOKEN)
    assert main([]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:8: cannot read the lap time '1:31,48'" in err
    assert FAKE_TOKEN not in err


def test_check_reports_each_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["check", str(DATA)]) == 0
    assert "ok: " in capsys.readouterr().out
    empty = tmp_path / "empty.md"
    empty.write_text("\n\n", encoding="utf-8")
    assert main(["check", str(empty)]) == 1
    assert f"{empty}: no table rows found" in capsys.readouterr().err


def test_python_m_bot_without_token_has_no_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDBOT_", "DISCORD_"))}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "DISCORD_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRIDBOT_LOG_LEVEL", "loud")
    assert main([]) == 2
    err = capsys.readouterr().err
    assert (
        "GRIDBOT_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, not 'loud'" in err
        and "Traceback" not in err
    )


def test_env_file_is_read_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "# comment\n"
        f'DISCORD_TOKEN="{FAKE_TOKEN}"\n'
        "export GRIDBOT_DEV_GUILD_ID=123  # my server\n"
        "GRIDBOT_DEFAULT_EVENT='le mans 2003'\n"
        "GRIDBOT_LOG_LEVEL=debug\n"
        "GRIDBOT_STATE_DIR=\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GRIDBOT_LOG_LEVEL", "warning")
    settings = Settings.load(env_file=env)
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == FAKE_TOKEN
    assert settings.dev_guild_id == 123
    assert settings.default_event == "le mans 2003"
    assert settings.log_level == "WARNING"


def test_every_bad_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import SettingsError

    monkeypatch.setenv("GRIDBOT_DEV_GUILD_ID", "my server")
    monkeypatch.setenv("GRIDBOT_LOG_LEVEL", "loud")
    with pytest.raises(SettingsError) as caught:
        Settings.load()
    assert caught.value.problems == [
        "GRIDBOT_DEV_GUILD_ID must be a server id (digits only), not 'my server'",
        "GRIDBOT_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, not 'loud'",
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('DISCORD_TOKEN="abc.def"  # the production bot', "abc.def"),
        ("DISCORD_TOKEN='abc.def' # single quotes", "abc.def"),
        ("DISCORD_TOKEN=abc.def\t# tab before the comment", "abc.def"),
        ("DISCORD_TOKEN=abc#def", "abc#def"),
        ("DISCORD_TOKEN=abc=def", "abc=def"),
        ("export   DISCORD_TOKEN=abc.def", "abc.def"),
        ("discord_token=abc.def", "abc.def"),
        ("DISCORD_TOKEN=abc.def\r", "abc.def"),
    ],
)
def test_env_file_lines_as_admins_write_them(tmp_path: Path, line: str, expected: str) -> None:
    env = tmp_path / ".env"
    env.write_text(line + "\n", encoding="utf-8")
    token = Settings.load(env_file=env).discord_token
    assert token is not None and token.get_secret_value() == expected


def test_an_empty_value_with_a_comment_is_unset(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "DISCORD_TOKEN=  # paste the token here\nGRIDBOT_DEV_GUILD_ID= # my server\n",
        encoding="utf-8",
    )
    settings = Settings.load(env_file=env)
    assert settings.discord_token is None and settings.dev_guild_id is None


def test_an_unreadable_env_file_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".env").write_bytes(b"# caf\xe9\nDISCORD_TOKEN=x\n")
    assert main([]) == 2
    err = capsys.readouterr().err
    assert ".env cannot be read" in err and "Traceback" not in err
