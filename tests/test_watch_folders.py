"""GRIDBOT_WATCH_DIRS read and checked; which folders are polled; files that settle."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.watch.folders import (
    WatchDir,
    file_system_of,
    folder_problems,
    needs_polling,
    parse_watch_dirs,
)
from bot.watch.settle import Settler, signature

SERVER = 123456789012345678


def test_a_path_feeds_the_operators_library_and_an_id_a_servers(tmp_path: Path) -> None:
    found = parse_watch_dirs(f" /srv/acc/results ; {SERVER}=/srv/league/results ;")
    assert found == (
        WatchDir(Path("/srv/acc/results")),
        WatchDir(Path("/srv/league/results"), SERVER),
    )
    assert [f.feeds for f in found] == ["Gridbot's library", f"server {SERVER}"]
    assert str(found[1]) == f"{SERVER}=/srv/league/results"


def test_an_equals_sign_inside_a_path_is_part_of_it() -> None:
    assert parse_watch_dirs("/srv/a=b") == (WatchDir(Path("/srv/a=b")),)


def test_a_home_folder_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert parse_watch_dirs("~/results") == (WatchDir(tmp_path / "results"),)


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ("", "names no folder"),
        (" ; ;", "names no folder"),
        ("league=/srv/x", "must map a server by its id"),
        ("0=/srv/x", "must map a server by its id"),
        (f"{SERVER}=", f"maps server {SERVER} to no folder"),
        ("/srv/x;/srv/x/", "names the folder /srv/x twice"),
        (f"/srv/x;{SERVER}=/srv/x/league", "names /srv/x/league inside /srv/x"),
    ],
)
def test_what_cannot_be_watched_is_refused_saying_why(raw: str, said: str) -> None:
    with pytest.raises(ValueError, match=said):
        parse_watch_dirs(raw)


def test_folders_must_exist_and_stay_apart_from_the_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "inside").mkdir(parents=True)
    results = tmp_path / "results"
    results.mkdir()
    (tmp_path / "file.json").write_text("{}")
    dirs = [
        WatchDir(results),
        WatchDir(tmp_path / "missing"),
        WatchDir(tmp_path / "file.json", SERVER),
        WatchDir(data / "inside"),
        WatchDir(data),
    ]
    assert folder_problems(dirs, data) == [
        f"GRIDBOT_WATCH_DIRS: {tmp_path / 'missing'} does not exist",
        f"GRIDBOT_WATCH_DIRS: {tmp_path / 'file.json'} is not a folder",
        f"GRIDBOT_WATCH_DIRS: {data / 'inside'} overlaps the data folder {data}; "
        "watch a folder of its own",
        f"GRIDBOT_WATCH_DIRS: {data} overlaps the data folder {data}; watch a folder of its own",
    ]


MOUNTS = """\
/dev/vda / ext4 rw,relatime 0 0
server:/export /srv/acc nfs4 rw,relatime 0 0
//nas/results /mnt/nas cifs rw 0 0
tmpfs /srv/acc/local tmpfs rw 0 0
/dev/vdb /mnt/my\\040disk ext4 rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "kind", "polled"),
    [
        ("/srv/acc/results", "nfs4", True),
        ("/srv/acc", "nfs4", True),
        ("/mnt/nas/2025", "cifs", True),
        ("/srv/acc/local/results", "tmpfs", False),
        ("/srv/accounts", "ext4", False),
        ("/mnt/my disk/results", "ext4", False),
    ],
)
def test_network_file_systems_are_polled_when_auto(path: str, kind: str, polled: bool) -> None:
    assert file_system_of(Path(path), MOUNTS) == kind
    assert needs_polling(Path(path), "auto", MOUNTS) is polled
    assert needs_polling(Path(path), "on", MOUNTS) is True
    assert needs_polling(Path(path), "off", MOUNTS) is False


def test_the_mount_table_of_this_machine_is_read(tmp_path: Path) -> None:
    assert file_system_of(tmp_path) != ""


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_file_is_ready_once_it_stayed_the_same_for_the_quiet_time(tmp_path: Path) -> None:
    clock = Clock()
    settler = Settler(1.0, clock)
    path = tmp_path / "a.json"
    path.write_bytes(b"{")
    settler.touched(path, signature(path))
    assert settler.next_due() == 101.0 and settler.due() == []
    clock.now = 100.6
    path.write_bytes(b'{"more": 1')  # another chunk, before the quiet time is over
    settler.touched(path, signature(path))
    clock.now = 101.2
    assert settler.due() == [], "the quiet time started again with the chunk"
    clock.now = 101.6
    assert settler.due() == [path]
    assert settler.check(path, signature(path)) is True
    assert len(settler) == 0 and settler.next_due() is None


def test_a_file_that_changed_without_an_event_waits_again(tmp_path: Path) -> None:
    clock = Clock()
    settler = Settler(0.5, clock)
    path = tmp_path / "a.json"
    path.write_bytes(b"1")
    settler.touched(path, signature(path), live=False)
    path.write_bytes(b"12")
    clock.now += 1
    assert settler.check(path, signature(path)) is None
    assert path in settler and settler.next_due() == clock.now + 0.5
    clock.now += 1
    assert settler.check(path, signature(path)) is False, "found at start, not seen changing"


def test_a_file_seen_changing_stays_live_and_a_vanished_one_leaves(tmp_path: Path) -> None:
    settler = Settler(0.5, Clock())
    path = tmp_path / "a.json"
    path.write_bytes(b"1")
    settler.touched(path, signature(path), live=True)
    settler.touched(path, signature(path), live=False)
    assert settler.check(path, signature(path)) is True
    settler.touched(path, signature(path))
    path.unlink()
    assert settler.check(path, signature(path)) is None and path not in settler
    assert settler.check(path, None) is None
    settler.touched(path, None)
    settler.forget(path)
    assert len(settler) == 0


def test_a_folder_has_no_signature(tmp_path: Path) -> None:
    assert signature(tmp_path) is None
    assert signature(tmp_path / "missing") is None


def test_the_watch_settings_are_read_and_checked(tmp_path: Path) -> None:
    from bot.settings import Settings, SettingsError

    environ = {
        "GRIDBOT_WATCH_DIRS": f"{tmp_path / 'acc'};{SERVER}={tmp_path / 'league'}",
        "GRIDBOT_WATCH_DEBOUNCE": "0.5",
        "GRIDBOT_WATCH_POLLING": " On ",
    }
    settings = Settings.load(environ=environ, env_file=None)
    assert settings.watch_dirs == (
        WatchDir(tmp_path / "acc"),
        WatchDir(tmp_path / "league", SERVER),
    )
    assert (settings.watch_debounce, settings.watch_polling) == (0.5, "on")
    defaults = Settings.load(environ={}, env_file=None)
    assert (defaults.watch_dirs, defaults.watch_debounce, defaults.watch_polling) == (
        (),
        1.0,
        "auto",
    )
    bad = {
        "GRIDBOT_WATCH_DIRS": "league=/srv",
        "GRIDBOT_WATCH_DEBOUNCE": "nan",
        "GRIDBOT_WATCH_POLLING": "sometimes",
    }
    with pytest.raises(SettingsError) as raised:
        Settings.load(environ=bad, env_file=None)
    assert raised.value.problems == [
        "GRIDBOT_WATCH_DIRS must map a server by its id, as 123456789012345678=/path, "
        "not 'league=/srv'",
        "GRIDBOT_WATCH_DEBOUNCE must be seconds from 0.05 to 60, such as 1 or 0.5, not 'nan'",
        "GRIDBOT_WATCH_POLLING must be one of auto, on, off, not 'sometimes'",
    ]


@pytest.mark.usefixtures("no_settings")
def test_the_bot_does_not_start_on_a_folder_it_cannot_watch(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import EXIT_CONFIG, main
    from tests.conftest import DATA

    monkeypatch.setenv("DISCORD_TOKEN", "not-a-token")
    monkeypatch.setenv("GRIDBOT_DATA_DIR", str(DATA))
    monkeypatch.setenv("GRIDBOT_WATCH_DIRS", str(tmp_path / "missing"))
    assert main(["run"]) == EXIT_CONFIG
    assert f"Cannot start: GRIDBOT_WATCH_DIRS: {tmp_path / 'missing'} does not exist" in (
        capsys.readouterr().err
    )
