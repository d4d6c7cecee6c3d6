"""The plain log format: what logging's own Formatter and StreamHandler would write."""

from __future__ import annotations

import io
import logging
import sys

from bot.logs import LineHandler, PlainFormatter

FORMAT = "{asctime} {levelname:<8} {name}: {message}"


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
