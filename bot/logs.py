"""The log: discord.py's logging set-up, and a line per command as cheap as logging allows.

On a terminal, discord.py's colour format. Elsewhere (a service, a pipe) plain text,
``2026-11-30 07:41:53,123 INFO     gridbot.commands: /grid position=5 (0.3 ms)``, written by
:class:`PlainFormatter` and :class:`LineHandler`, which do what logging's own ``Formatter`` and
``StreamHandler`` do for that format with less work per line: the bot logs one per command.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

import discord


class PlainFormatter(logging.Formatter):
    """``{asctime} {levelname:<8} {name}: {message}``, as ``logging.Formatter`` writes it; the
    date and time formatted once a second rather than for every line."""

    def __init__(self) -> None:
        super().__init__("{asctime} {levelname:<8} {name}: {message}", style="{")
        self._second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        second = int(record.created)
        known, text = self._second
        if known != second:
            text = time.strftime(self.default_time_format, self.converter(second))
            self._second = (second, text)
        return f"{text},{int(record.msecs):03d}"

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        record.asctime = self.formatTime(record)
        line = f"{record.asctime} {record.levelname:<8} {record.name}: {record.message}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line = f"{line}\n{record.exc_text}"
        if record.stack_info:
            line = f"{line}\n{self.formatStack(record.stack_info)}"
        return line


class LineHandler(logging.StreamHandler[TextIO]):
    """A ``StreamHandler`` that writes a line and flushes it in one go: the handler's lock,
    which ``StreamHandler.flush`` takes again, is already held while a line is emitted."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stream = self.stream
            stream.write(self.format(record) + self.terminator)
            stream.flush()
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)


def setup_logging(level: str) -> None:
    """discord.py's logging set-up at ``level``; plain text unless writing to a terminal.

    No format here shows where a line was logged from, or which thread or process logged it,
    so none of that is collected (the logging HOWTO, "Optimization")."""
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    numeric = logging.getLevelName(level.upper())
    if sys.stderr.isatty():
        discord.utils.setup_logging(level=numeric)
        return
    handler = LineHandler(sys.stderr)
    discord.utils.setup_logging(level=numeric, handler=handler, formatter=PlainFormatter())
