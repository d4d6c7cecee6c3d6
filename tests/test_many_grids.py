"""Issue 5 through discord.py's dispatch: events, defaulting, /events, /reload, /import."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.app import GridBot
from bot.core.store import GridStore
from bot.settings import Settings
from tests.conftest import OWNER_ID, SEED, open_test_libraries, start_client
from tests.dispatch import (
    USER_ID,
    RecordingAdapter,
    Sent,
    autocomplete,
    interaction_payload,
    invoke,
    invoke_payload,
    next_sent,
    with_attachment,
)

SPA = """\
| Pos | No. | Driver | Car | Team | Best lap | Class |
|---|---|---|---|---|---|---|
| 1 | 7 | A. Driver / B. Driver | Test Car | Spa Racing | 2:15.1234 | LMP |
| 2 | 9 | C. Driver | Other Car | Other Team | 2:16.0000 | GT |
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def seed_and_spa(tmp_path: Path) -> Path:
    """An operator's folder under ``tmp_path``: the seed grid (with its sidecar) and 2004 Spa."""
    root = tmp_path / "data"
    root.mkdir()
    shutil.copy(SEED, root / SEED.name)
    shutil.copy(SEED.with_suffix(".toml"), root / SEED.with_suffix(".toml").name)
    write(root / "2004-spa-qualifying.md", SPA)
    return root


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return seed_and_spa(tmp_path)


async def make_bot(root: Path, tmp_path: Path, **settings: Any) -> GridBot:
    config = Settings.load({"GRIDBOT_DATA_DIR": root, "GRIDBOT_STATE_DIR": tmp_path, **settings})
    libraries = await open_test_libraries(
        f"sqlite:///{tmp_path}/many.sqlite3", root, config.default_event
    )
    return await start_client(config, libraries)


@pytest.fixture
async def many(
    adapter: RecordingAdapter, data: Path, tmp_path: Path, gridbot: GridBot
) -> AsyncIterator[GridBot]:
    client = await make_bot(data, tmp_path)
    client._connection.user = gridbot._connection.user
    session = aiohttp.ClientSession()  # what logging in opens; attachments download through it
    client.http._HTTPClient__session = session  # type: ignore[attr-defined]  # discord.py's private session slot
    yield client
    await session.close()
    await client.close()
    await client.libraries.close()


def member(payload: dict[str, Any], permissions: int) -> dict[str, Any]:
    payload["member"]["permissions"] = str(permissions)
    return payload


MANAGE_GUILD = 1 << 5


async def test_default_is_the_most_recent_and_event_picks(
    many: GridBot, adapter: RecordingAdapter
) -> None:
    latest = await invoke(many, adapter, "grid", position=1)
    assert latest.embed["title"] == "P1 · #7 Test Car"
    assert latest.embed["footer"]["text"] == "2004 Spa · Qualifying · Gridbot library"
    older = await invoke(many, adapter, "grid", position=1, event="le mans")
    assert older.embed["title"] == "P1 · #5 Audi R8"
    by_key = await invoke(
        many, adapter, "gap", car_a="8", car_b="14", event="2003-1000km-le-mans-qualifying"
    )
    assert by_key.embed["title"].endswith("1.153 s")


async def test_configured_default_event(
    adapter: RecordingAdapter, data: Path, tmp_path: Path, gridbot: GridBot
) -> None:
    client = await make_bot(data, tmp_path, GRIDBOT_DEFAULT_EVENT="1000 km of Le Mans")
    client._connection.user = gridbot._connection.user
    sent = await invoke(client, adapter, "grid", position=1)
    assert sent.embed["title"] == "P1 · #5 Audi R8"
    await client.close()
    await client.libraries.close()


async def test_unknown_event_lists_what_exists(many: GridBot, adapter: RecordingAdapter) -> None:
    sent = await invoke(many, adapter, "team", name="Lister", event="Daytona 1999")
    assert sent.ephemeral
    assert "No single event matches “Daytona 1999”" in sent.embed["description"]
    assert "2004 Spa · Qualifying" in sent.embed["description"]
    assert "2003 1000 km of Le Mans · Qualifying" in sent.embed["description"]


async def test_event_autocomplete_and_dependent_options(
    many: GridBot, adapter: RecordingAdapter
) -> None:
    events = await autocomplete(many, adapter, "grid", "event", event="")
    assert [c["value"] for c in events] == ["2004-spa-qualifying", "2003-1000km-le-mans-qualifying"]
    assert events[1]["name"] == "2003 1000 km of Le Mans · Qualifying · 34 cars"
    teams = await autocomplete(many, adapter, "team", "name", name="", event="2004-spa-qualifying")
    assert [c["value"] for c in teams] == ["Spa Racing", "Other Team"]
    teams = await autocomplete(many, adapter, "team", "name", name="lis", event="le mans 2003")
    assert [c["value"] for c in teams] == ["Lister Racing"]


async def test_events_lists_grids(many: GridBot, adapter: RecordingAdapter) -> None:
    sent = await invoke(many, adapter, "events")
    text = sent.embed["description"]
    assert sent.embed["title"] == "Grids you can ask about (2)"
    assert text.index("2004 Spa") < text.index("2003 1000 km")
    assert "34 cars · pole 1:27.898 (#5) · Gridbot library" in text
    assert "**2004 Spa · Qualifying** · default" in text


async def reload(many: GridBot, adapter: RecordingAdapter, user_id: int = OWNER_ID) -> Sent:
    payload = interaction_payload("reload", {}, user_id=user_id)
    before = len(adapter.sent)
    deferred = await invoke_payload(many, adapter, payload)
    if deferred.payload["type"] != 5:
        return deferred
    assert deferred.payload["data"]["flags"] == 64, "the deferral is ephemeral"
    return await next_sent(adapter, before + 1)


async def test_reload_reports_changes(many: GridBot, adapter: RecordingAdapter, data: Path) -> None:
    write(data / "2005-monza-qualifying.md", SPA.replace("Spa Racing", "Monza Racing"))
    (data / "2004-spa-qualifying.md").unlink()
    sent = await reload(many, adapter)
    assert sent.method == "POST" and "/webhooks/" in sent.path, "the answer is a followup"
    fields = {f["name"]: f["value"] for f in sent.embed["fields"]}
    assert fields == {"Added": "2005-monza-qualifying", "Removed": "2004-spa-qualifying"}
    assert sent.ephemeral
    again = await reload(many, adapter)
    assert "No grid changed" in again.embed["description"], again.embed


async def test_failed_reload_keeps_serving(
    many: GridBot, adapter: RecordingAdapter, data: Path
) -> None:
    spa = data / "2004-spa-qualifying.md"
    write(spa, SPA.replace("2:16.0000", "2:16,0"))
    sent = await reload(many, adapter)
    assert sent.embed["title"] == "Reload failed: nothing changed"
    assert (
        "2004-spa-qualifying.md, line 4: cannot read the lap time '2:16,0'"
        in sent.embed["description"]
    )
    assert str(data) not in sent.text, "no server paths in answers"
    still = await invoke(many, adapter, "grid", position=2)
    assert still.embed["fields"][0]["value"] == "2:16.000"


async def test_reload_is_for_the_owner_alone(many: GridBot, adapter: RecordingAdapter) -> None:
    sent = await reload(many, adapter, user_id=USER_ID)  # a member with every permission
    assert sent.ephemeral and sent.embed["title"] == "Not allowed"
    assert "bot's owner" in sent.embed["description"]


def test_admin_commands_declare_their_permission(gridbot: GridBot) -> None:
    for name in ("import", "remove", "restore", "history", "settings"):
        command = gridbot.tree.get_command(name)
        assert command is not None
        declared = command.to_dict(gridbot.tree)
        assert int(declared["default_member_permissions"]) == MANAGE_GUILD, name
        assert declared["contexts"] == [0], f"/{name} is offered in servers only"
    reload_command = gridbot.tree.get_command("reload")
    assert reload_command is not None
    assert reload_command.to_dict(gridbot.tree)["default_member_permissions"] is None


@pytest.fixture
async def cdn() -> AsyncIterator[tuple[str, dict[str, bytes]]]:
    """A loopback stand-in for Discord's attachment CDN."""
    files: dict[str, bytes] = {}

    async def serve(request: web.Request) -> web.Response:
        body = files.get(request.match_info["name"])
        return web.Response(body=body) if body is not None else web.Response(status=404)

    app = web.Application()
    app.router.add_get("/attachments/{name}", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    # Why mypy is silenced below: aiohttp's private server: started above, so not None
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/attachments", files
    await runner.cleanup()


async def upload(
    many: GridBot,
    adapter: RecordingAdapter,
    cdn: tuple[str, dict[str, bytes]],
    filename: str,
    body: bytes,
    *,
    size: int | None = None,
    replace: bool | None = None,
) -> Sent:
    base, files = cdn
    files["upload"] = body
    options = {} if replace is None else {"replace": replace}
    payload = member(interaction_payload("import", options), MANAGE_GUILD)
    with_attachment(
        payload,
        "file",
        filename=filename,
        size=len(body) if size is None else size,
        url=f"{base}/upload",
    )
    before = len(adapter.sent)
    first = await invoke_payload(many, adapter, payload)
    if first.payload.get("type") != 5:
        return first
    return await next_sent(adapter, before + 1)


async def test_import_serves_the_new_grid(
    many: GridBot, adapter: RecordingAdapter, cdn: tuple[str, dict[str, bytes]], data: Path
) -> None:
    before = sorted(p.name for p in data.iterdir())
    body = SPA.replace("Spa Racing", "Imola Racing").encode()
    sent = await upload(many, adapter, cdn, "2006-imola-qualifying.md", body)
    assert sent.ephemeral
    assert sent.embed["title"] == "Imported: 2006 Imola · Qualifying"
    assert "event: 2006-imola-qualifying · v1" in sent.embed["description"]
    assert hashlib.sha256(body).hexdigest()[:12] in sent.embed["description"]
    assert sorted(p.name for p in data.iterdir()) == before, "the operator's folder is untouched"
    served = await invoke(many, adapter, "team", name="imola")
    assert served.embed["title"] == "Imola Racing"
    assert served.embed["footer"]["text"] == "2006 Imola · Qualifying · this server's library"


@pytest.mark.parametrize(
    ("filename", "body", "size", "expected"),
    [
        ("../escape.md", SPA.encode(), None, "must not contain a path"),
        ("..\\escape.md", SPA.encode(), None, "must not contain a path"),
        (".hidden.md", SPA.encode(), None, "must not start with a dot"),
        ("grid.exe", SPA.encode(), None, "Only .md, .csv"),
        ("big.md", SPA.encode(), 9 * 1024 * 1024, "can be at most 8 MiB"),
        ("latin1.md", SPA.replace("Spa", "Spà").encode("latin-1"), None, "not valid UTF-8"),
        ("broken.md", SPA.replace("2:15.1234", "fast").encode(), None, "broken.md, line 3"),
    ],
)
async def test_import_refuses(
    many: GridBot,
    adapter: RecordingAdapter,
    cdn: tuple[str, dict[str, bytes]],
    filename: str,
    body: bytes,
    size: int | None,
    expected: str,
) -> None:
    sent = await upload(many, adapter, cdn, filename, body, size=size)
    assert sent.ephemeral
    assert expected in sent.embed["description"]
    assert "Traceback" not in sent.text
    events = await invoke(many, adapter, "events")
    assert "this server's library" not in events.embed["description"], "nothing stored"


async def test_import_replace_keeps_the_old_version(
    many: GridBot, adapter: RecordingAdapter, cdn: tuple[str, dict[str, bytes]]
) -> None:
    await upload(many, adapter, cdn, "2006-imola-qualifying.md", SPA.encode())
    again = await upload(many, adapter, cdn, "2006-imola-qualifying.md", SPA.encode())
    assert "already has a grid named 2006-imola-qualifying" in again.embed["description"]
    body = SPA.replace("Spa Racing", "Renamed Racing").encode()
    sent = await upload(many, adapter, cdn, "2006-imola-qualifying.md", body, replace=True)
    assert sent.embed["title"].startswith("Replaced:")
    assert "· v2" in sent.embed["description"]
    served = await invoke(many, adapter, "grid", position=1, event="2006-imola-qualifying")
    assert "Renamed Racing" in served.embed["description"]


async def test_a_server_grid_wins_over_an_operator_grid_of_the_same_name(
    many: GridBot, adapter: RecordingAdapter, cdn: tuple[str, dict[str, bytes]]
) -> None:
    body = SPA.replace("Spa Racing", "Local Racing").encode()
    await upload(many, adapter, cdn, "2004-spa-qualifying.md", body)
    served = await invoke(many, adapter, "grid", position=1, event="2004-spa-qualifying")
    assert "Local Racing" in served.embed["description"]
    assert served.embed["footer"]["text"].endswith("this server's library")


async def test_import_needs_manage_server(
    many: GridBot, adapter: RecordingAdapter, cdn: tuple[str, dict[str, bytes]]
) -> None:
    payload = member(interaction_payload("import", {}), 0)
    with_attachment(payload, "file", filename="x.md", size=10, url=f"{cdn[0]}/upload")
    payload["member"]["user"]["id"] = str(USER_ID)
    sent = await invoke_payload(many, adapter, payload)
    assert sent.ephemeral and sent.embed["title"] == "Not allowed"


async def test_class_column_gives_class_position_and_gap(
    many: GridBot, adapter: RecordingAdapter, data: Path
) -> None:
    write(
        data / "2004-spa-qualifying.md",
        SPA + "| 3 | 11 | D. Driver | GT Car | GT Team | 2:16.5005 | GT |\n",
    )
    await reload(many, adapter)
    sent = await invoke(many, adapter, "grid", position=3)
    fields = {f["name"]: f["value"] for f in sent.embed["fields"]}
    assert fields["Class GT"] == "P2 of 2 · 0.501 s (0.368 %) behind #9, P2"
    pole = await invoke(many, adapter, "grid", position=2)
    assert {f["name"]: f["value"] for f in pole.embed["fields"]}[
        "Class GT"
    ] == "class pole, P1 of 2"


def test_whole_words_beat_prefixes_when_finding_an_event(data: Path) -> None:
    write(data / "2005-spain-qualifying.md", SPA)
    catalog = GridStore(data).catalog
    assert catalog.find("spa").meta.event == "Spa"
    assert catalog.find("spai").meta.event == "Spain"
    assert catalog.find("le mans 2003").meta.year == 2003


def test_an_unreadable_sidecar_names_the_file(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.core.errors import GridFileError

    sidecar = write(data / "2004-spa-qualifying.toml", 'event = "Spa"\n')
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self == sidecar:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(GridFileError) as caught:
        GridStore(data)
    assert caught.value.path == sidecar
    assert caught.value.problem == "cannot read the file: Permission denied"


async def test_import_of_text_instead_of_a_file_is_refused_politely(
    many: GridBot, adapter: RecordingAdapter
) -> None:
    """What an out-of-date command definition could send: the option as plain text."""
    payload = member(interaction_payload("import", {"file": "le-mans.md"}), MANAGE_GUILD)
    sent = await invoke_payload(many, adapter, payload)
    assert sent.ephemeral and "Attach the grid file itself" in sent.text, sent.text
