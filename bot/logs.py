"""The log: discord.py's logging set-up, and a line per command as cheap as it can be.

On a terminal, discord.py's colour format. Elsewhere (a service, a pipe) plain text,
``2026-11-30 07:41:53,123 INFO     gridbot.commands: /grid position=5 (0.3 ms)``, written by
:class:`PlainFormatter` and :class:`LineHandler`, which do what logging's own ``Formatter`` and
``StreamHandler`` do for that format with less work per line.

The bot logs a line per command, and on its command path logging's record, filters and
handler chain were the largest part of what the bot added to discord.py (issue 15).
:class:`CommandLog` writes that line itself, the same bytes, when nothing but the plain handler
would see it; otherwise (a terminal, a test's log capture, a handler or filter someone added) it
hands it to logging as any other line.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, TextIO

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


_plain: LineHandler | None = None
"""The plain handler :func:`setup_logging` put on the root logger, if it did."""


class CommandLog:
    """A logger's ``info``, ``warning`` and ``error`` for the line per command.

    ``info`` writes the line straight to the plain handler's stream when that handler, set up
    by :func:`setup_logging`, is the only one that would receive it and has nothing to filter:
    the same line, ``{asctime} INFO     {name}: {message}``, without the ``LogRecord``, the
    filters and the handler chain (some 550 bytecodes a command, against about 40)."""

    __slots__ = ("_prefix", "_second", "logger")

    def __init__(self, name: str) -> None:
        self.logger = logging.getLogger(name)
        self._prefix = f" INFO     {name}: "
        self._second: tuple[int, str] = (-1, "")

    def _direct(self) -> LineHandler | None:
        handler = _plain
        if handler is None:
            return None
        logger = self.logger
        handlers = logging.root.handlers
        if not (
            len(handlers) == 1
            and handlers[0] is handler
            and not handler.filters
            and handler.level <= logging.INFO
            and not logger.filters
            and logger.isEnabledFor(logging.INFO)
        ):
            return None
        ancestor: logging.Logger | None = logger
        while ancestor is not None and ancestor is not logging.root:
            if ancestor.handlers or not ancestor.propagate:
                return None
            ancestor = ancestor.parent
        return handler

    def info(self, message: str, *args: object) -> None:
        handler = self._direct()
        if handler is None:
            self.logger.info(message, *args)
            return
        now = time.time()
        second = int(now)
        known, stamp = self._second
        if known != second:
            stamp = time.strftime(logging.Formatter.default_time_format, time.localtime(second))
            self._second = (second, stamp)
        text = message % args if args else message
        line = f"{stamp},{int((now - second) * 1000):03d}{self._prefix}{text}\n"
        with handler.lock:  # type: ignore[union-attr]  # created by Handler.__init__
            try:
                stream = handler.stream
                stream.write(line)
                stream.flush()
            except RecursionError:
                raise
            except Exception:
                handler.handleError(
                    self.logger.makeRecord(
                        self.logger.name, logging.INFO, "(unknown file)", 0, message, args, None
                    )
                )

    def warning(self, message: str, *args: object, **kwargs: Any) -> None:
        self.logger.warning(message, *args, **kwargs)

    def error(self, message: str, *args: object, **kwargs: Any) -> None:
        self.logger.error(message, *args, **kwargs)


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
    global _plain
    handler = LineHandler(sys.stderr)
    discord.utils.setup_logging(level=numeric, handler=handler, formatter=PlainFormatter())
    _plain = handler
