"""The plain log format: what logging's own Formatter and StreamHandler would write."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import sys
import threading
import time
import weakref
from collections.abc import Iterator

import pytest

from bot import logs
from bot.cli import fail
from bot.logs import LineHandler, PlainFormatter

FORMAT = "{asctime} {levelname:<8} {name}: {message}"
TIMES = (1_700_000_000.001, 1_700_000_000.999, 1_700_000_001.0)


def record(created: float, **extra: object) -> logging.LogRecord:
    made = logging.makeLogRecord(
        {"name": "gridbot.commands", "levelno": 20, "levelname": "INFO", "msg": "/grid %s"}
        | {"args": ("position=5",)}
        | extra
    )
    made.created, made.msecs = created, (created - int(created)) * 1000
    return made


def test_lines_read_as_loggings_own() -> None:
    plain = PlainFormatter()
    for created in (1_700_000_000.0, 1_700_000_000.5, 1_700_000_000.999, 1_700_000_061.25):
        standard = logging.Formatter(FORMAT, style="{")
        assert plain.format(record(created)) == standard.format(record(created))


def test_a_traceback_and_a_stack_follow_the_line_as_logging_writes_them() -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        failure = sys.exc_info()
    made = {"exc_info": failure, "stack_info": "Stack (most recent call last):\n  here"}

    ours = PlainFormatter().format(record(1_700_000_000.25, **made))
    theirs = logging.Formatter(FORMAT, style="{").format(record(1_700_000_000.25, **made))

    assert ours == theirs
    assert "ValueError: broken" in ours and ours.endswith("here")


def test_a_line_is_one_write_of_the_line_and_its_end() -> None:
    stream = io.StringIO()
    handler = LineHandler(stream)
    handler.setFormatter(PlainFormatter())

    handler.handle(record(1_700_000_000.0))

    assert stream.getvalue().endswith(" INFO     gridbot.commands: /grid position=5\n")


class Root:
    """The root logger as ``setup_logging`` leaves it (the plain handler alone, on ``stream``),
    put back as it was afterwards. With ``keep``, command lines are kept until the test has
    them written (none written on time meanwhile, however slow the machine)."""

    def __init__(
        self, monkeypatch: pytest.MonkeyPatch, level: int = logging.INFO, *, keep: bool = False
    ) -> None:
        if keep:
            monkeypatch.setattr(logs, "FLUSH_AFTER", 3600.0)
        self.stream = io.StringIO()
        handler = LineHandler(self.stream)
        handler.setFormatter(PlainFormatter())
        root = logging.getLogger()
        monkeypatch.setattr(root, "handlers", [handler])
        monkeypatch.setattr(root, "level", root.level)  # put back afterwards
        root.setLevel(level)  # and the loggers' cached levels cleared
        monkeypatch.setattr(logs, "_plain", handler)
        self.handler = handler
        self.reported: list[logging.LogRecord] = []
        """What the handler reported as it failed (``handleError``), instead of printing it."""
        monkeypatch.setattr(handler, "handleError", self.reported.append)

    def written(self) -> str:
        """What is written once the kept lines are (as logging does at exit)."""
        self.handler.flush()
        return self.stream.getvalue()


@pytest.fixture(autouse=True)
def _fresh_level_cache() -> Iterator[None]:
    yield
    logging.root.setLevel(logging.root.level)  # clears the loggers' cached levels


def test_the_command_line_written_directly_is_the_line_logging_writes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = Root(monkeypatch)
    monkeypatch.setattr(time, "time", lambda: 1_700_000_061.25)
    made = record(1_700_000_061.25, args=("position=5 (0.3 ms)",))
    made.msecs = 250.0

    logs.CommandLog("gridbot.commands").info("/grid %s", "position=5 (0.3 ms)")

    expected = logging.Formatter(FORMAT, style="{").format(made) + "\n"
    assert root.written() == expected


def test_a_line_each_second_gets_that_seconds_time(monkeypatch: pytest.MonkeyPatch) -> None:
    root = Root(monkeypatch)
    log = logs.CommandLog("gridbot.commands")
    for now in TIMES:
        monkeypatch.setattr(time, "time", lambda now=now: now)
        log.info("/grid")
    written = root.written().splitlines()
    standard = logging.Formatter(FORMAT, style="{")
    for line, now in zip(written, TIMES, strict=True):
        made = record(now, msg="/grid", args=())
        made.msecs = float(int((now - int(now)) * 1000))
        assert line == standard.format(made)


def test_another_handler_gets_the_line_through_logging_and_the_stream_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    root = Root(monkeypatch)
    logging.getLogger().addHandler(caplog.handler)

    logs.CommandLog("gridbot.commands").info("/team %s", "name='Lister'")

    assert [r.getMessage() for r in caplog.records] == ["/team name='Lister'"]
    assert root.written().count("/team name='Lister'") == 1


def test_a_handler_on_a_parent_logger_gets_the_line(monkeypatch: pytest.MonkeyPatch) -> None:
    Root(monkeypatch)
    parent = io.StringIO()
    monkeypatch.setattr(logging.getLogger("gridbot"), "handlers", [logging.StreamHandler(parent)])

    logs.CommandLog("gridbot.commands").info("/gap %s", "8 14")

    assert parent.getvalue() == "/gap 8 14\n"


def test_nothing_is_written_below_the_level(monkeypatch: pytest.MonkeyPatch) -> None:
    root = Root(monkeypatch, level=logging.WARNING)

    logs.CommandLog("gridbot.commands").info("/grid %s", "position=5")

    assert root.written() == ""


def test_without_the_plain_handler_the_line_goes_through_logging(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(logs, "_plain", None)
    caplog.set_level(logging.INFO, logger="gridbot.commands")

    logs.CommandLog("gridbot.commands").info("/grid %s", "position=5")

    assert [r.getMessage() for r in caplog.records] == ["/grid position=5"]


def test_the_direct_line_makes_no_log_record(monkeypatch: pytest.MonkeyPatch) -> None:
    root = Root(monkeypatch)

    def no_record(*_: object, **__: object) -> logging.LogRecord:
        raise AssertionError("a LogRecord was made: the line went through logging")

    monkeypatch.setattr(logging.Logger, "makeRecord", no_record)

    logs.CommandLog("gridbot.commands").info("/grid %s", "position=5 (0.3 ms)")

    assert root.written().endswith(" INFO     gridbot.commands: /grid position=5 (0.3 ms)\n")


class Writes:
    """The root's stream, each write noted, with an event for the next one."""

    def __init__(self, root: Root, monkeypatch: pytest.MonkeyPatch) -> None:
        self.texts: list[str] = []
        self.made = threading.Event()
        write = root.stream.write

        def noted(text: str) -> int:
            self.texts.append(text)
            self.made.set()
            return write(text)

        monkeypatch.setattr(root.stream, "write", noted)

    def wait(self) -> None:
        assert self.made.wait(10 * logs.FLUSH_AFTER + 5), "nothing written"
        self.made.clear()


def test_a_line_waits_then_goes_out_in_one_write_with_those_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = Root(monkeypatch)
    writes = Writes(root, monkeypatch)
    log = logs.CommandLog("gridbot.commands")

    log.info("/grid %s", "position=5 (0.3 ms)")
    log.info("/team %s", "name='Lister' (0.2 ms)")
    assert writes.texts == [], "kept, not written at once"
    writes.wait()

    (text,) = writes.texts
    assert [line.split(": ", 1)[1] for line in text.splitlines()] == [
        "/grid position=5 (0.3 ms)",
        "/team name='Lister' (0.2 ms)",
    ]


def test_each_later_batch_is_written_on_its_own_time(monkeypatch: pytest.MonkeyPatch) -> None:
    root = Root(monkeypatch)
    writes = Writes(root, monkeypatch)
    log = logs.CommandLog("gridbot.commands")

    for number in range(3):
        log.info("/grid position=%d", number)
        writes.wait()  # no warning, no exit, no full batch: the handler's own timing

    assert [text.rsplit("=", 1)[1] for text in writes.texts] == ["0\n", "1\n", "2\n"]


def test_lines_go_out_while_the_event_loop_is_stuck(monkeypatch: pytest.MonkeyPatch) -> None:
    root = Root(monkeypatch)
    writes = Writes(root, monkeypatch)

    async def stuck() -> None:
        logs.CommandLog("gridbot.commands").info("/grid position=5")
        writes.wait()  # blocks the loop: nothing on it can write the line

    asyncio.run(stuck())
    assert root.stream.getvalue().endswith("/grid position=5\n")


def test_a_line_kept_is_written_before_any_other(monkeypatch: pytest.MonkeyPatch) -> None:
    root = Root(monkeypatch, keep=True)

    logs.CommandLog("gridbot.commands").info("/grid %s", "position=5")
    assert root.stream.getvalue() == "", "kept"
    logging.getLogger("gridbot").warning("cannot reach Discord")

    lines = root.stream.getvalue().splitlines()
    assert lines[0].endswith("INFO     gridbot.commands: /grid position=5")
    assert lines[1].endswith("WARNING  gridbot: cannot reach Discord")


def test_loggings_clean_up_at_exit_writes_what_was_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    root = Root(monkeypatch, keep=True)
    monkeypatch.setattr(time, "time", lambda: 1_700_000_061.25)

    logs.CommandLog("gridbot.commands").info("/grid %s", "position=5 (0.3 ms)")
    assert root.stream.getvalue() == "", "kept"
    logging.shutdown([weakref.ref(root.handler)])  # what runs at exit, on this handler alone

    made = record(1_700_000_061.25, args=("position=5 (0.3 ms)",))
    made.msecs = 250.0
    assert root.stream.getvalue() == logging.Formatter(FORMAT, style="{").format(made) + "\n"


def test_a_full_batch_is_written_at_once_in_one_write(monkeypatch: pytest.MonkeyPatch) -> None:
    root = Root(monkeypatch, keep=True)
    writes = Writes(root, monkeypatch)
    log = logs.CommandLog("gridbot.commands")

    for number in range(logs.PENDING_LINES - 1):
        log.info("/grid position=%d", number)
    assert writes.texts == [], "kept"
    log.info("/grid position=%d", logs.PENDING_LINES - 1)

    (text,) = writes.texts
    lines = text.splitlines()
    assert len(lines) == logs.PENDING_LINES
    assert lines[-1].endswith(f"/grid position={logs.PENDING_LINES - 1}")


def test_the_bot_s_own_messages_come_after_the_lines_kept(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = Root(monkeypatch, keep=True)
    monkeypatch.setattr(root.handler, "stream", sys.stderr)  # capsys's, as the bot's is

    logs.CommandLog("gridbot.commands").info("/grid position=5")
    fail("Discord closed the connection (4000): bye", 3)

    lines = capsys.readouterr().err.splitlines()
    assert lines[0].endswith("INFO     gridbot.commands: /grid position=5")
    assert lines[1] == "Discord closed the connection (4000): bye"


def test_a_line_that_cannot_be_formatted_is_reported_and_the_rest_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = Root(monkeypatch, keep=True)
    log = logs.CommandLog("gridbot.commands")

    log.info("/grid %d", "not a number")
    log.info("/grid %s", "position=5")

    assert root.written().endswith("INFO     gridbot.commands: /grid position=5\n")
    assert [r.msg for r in root.reported] == ["/grid %d"]


def test_lines_that_cannot_be_written_are_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = Root(monkeypatch, keep=True)
    log = logs.CommandLog("gridbot.commands")
    root.stream.close()

    log.info("/grid position=5")
    logs.write_kept()
    for number in range(logs.PENDING_LINES):  # a full batch, written on the command's path
        log.info("/grid position=%d", number)

    assert [r.getMessage() for r in root.reported] == [
        "1 command lines not written",
        f"{logs.PENDING_LINES} command lines not written",
    ]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_process_writes_its_own_lines_on_time_not_its_parents(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = Root(monkeypatch, keep=True)  # the parent's line stays kept across the fork
    log = logs.CommandLog("gridbot.commands")
    log.info("/grid position=1")
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # no writer thread here, the parent's line in memory
        try:
            monkeypatch.setattr(logs, "FLUSH_AFTER", 0.2)
            log.info("/grid position=2")
            deadline = time.monotonic() + 10 * logs.FLUSH_AFTER + 5
            while not root.stream.getvalue() and time.monotonic() < deadline:
                time.sleep(0.01)
            os.write(writing, root.stream.getvalue().encode())
        finally:
            os._exit(0)
    os.close(writing)
    _, status = os.waitpid(child, 0)
    with os.fdopen(reading, encoding="utf-8") as pipe:
        from_child = pipe.read().splitlines()
    assert os.waitstatus_to_exitcode(status) == 0
    assert [line.rsplit(": ", 1)[1] for line in from_child] == ["/grid position=2"]
    assert root.written().endswith("/grid position=1\n"), "the parent's, written by it"
