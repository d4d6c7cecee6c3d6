"""The log: discord.py's logging set-up, and a line per command as cheap as it can be.

On a terminal, discord.py's colour format. Elsewhere (a service, a pipe) plain text,
``2026-11-30 07:41:53,123 INFO     gridbot.commands: /grid position=5 (0.3 ms)``, written by
:class:`PlainFormatter` and :class:`LineHandler`, which do what logging's own ``Formatter`` and
``StreamHandler`` do for that format with less work per line.

The bot logs a line per command, and on its command path logging's record, filters and
handler chain were the largest part of what the bot added to discord.py (issue 15).
:class:`CommandLog` writes that line itself, the same bytes, when nothing but the plain handler
would see it; otherwise (a terminal, a test's log capture, a handler or filter someone added) it
hands it to logging as any other line. Written so, a command's line waits up to ``FLUSH_AFTER``
(0.2 s) and goes out with the lines after it, in one write; a warning or an error is never kept
waiting, and the kept lines go before it, as before the messages ``python -m bot`` prints
itself (:func:`write_kept`). A process killed outright (``SIGKILL``) loses at most those 0.2 s
of command lines; a stop, or any exit that runs logging's own clean-up, writes them.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import weakref
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


FLUSH_AFTER = 0.2
"""Seconds a command's line may wait to be written with the lines after it."""
PENDING_LINES = 256
"""Lines that are written at once, however young the oldest is."""


class LineHandler(logging.StreamHandler[TextIO]):
    """A ``StreamHandler`` that writes a line and flushes it in one go (the handler's lock,
    which ``StreamHandler.flush`` takes again, is already held while a line is emitted); and
    the lines of commands, given to :meth:`defer`, together.

    A command's line is kept for ``FLUSH_AFTER`` seconds (or until ``PENDING_LINES`` wait),
    then it and the lines after it are formatted and written in one write: built and written
    one by one, right after each answer, a line cost 25 µs of the command's 550 in the
    end-to-end benchmark (issue 15), some six times what the same code costs in a loop. A
    thread of the handler's own writes them, so they go out on time even while the event loop
    is stuck. Kept lines are written before any other line, so the log stays in order, and by
    :meth:`flush`, which logging calls at exit."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self._pending: list[tuple[float, str, str, tuple[object, ...]]] = []
        self._second: tuple[int, str] = (-1, "")
        self._due = threading.Event()
        """Set when a batch's first line is kept: the writer's cue."""
        self._writer: threading.Thread | None = None
        _handlers.add(self)

    def _forked(self) -> None:
        """In a new process made by ``fork``: no writer thread, and the kept lines are the
        parent's to write."""
        self._pending = []
        self._due = threading.Event()  # the fork may have left its lock held
        self._writer = None

    def defer(self, now: float, prefix: str, message: str, args: tuple[object, ...]) -> None:
        """Write ``{time}{prefix}{message % args}`` ``FLUSH_AFTER`` seconds from now, with the
        lines deferred after it; ``now`` is the line's time (``time.time()``)."""
        with self.lock:  # type: ignore[union-attr]  # created by Handler.__init__
            pending = self._pending
            pending.append((now, prefix, message, args))
            if len(pending) >= PENDING_LINES:
                self._write_pending()
            elif len(pending) == 1:
                if self._writer is None:  # the first line kept in this process
                    self._writer = threading.Thread(
                        target=self._write_when_due, name="gridbot-log-lines", daemon=True
                    )
                    self._writer.start()
                self._due.set()

    def _write_when_due(self) -> None:
        while True:
            self._due.wait()
            time.sleep(FLUSH_AFTER)  # the lines of the next moments join the first
            with self.lock:  # type: ignore[union-attr]
                self._due.clear()  # under the lock: a line kept after this write sets it again
                self._write_pending()

    def _write_pending(self) -> None:
        """Write the kept lines (the lock held)."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        lines = []
        for now, prefix, message, args in pending:
            try:
                text = message % args if args else message
            except Exception:  # a bad format: said as logging says it, and the rest written
                self.handleError(logging.makeLogRecord({"msg": message, "args": args}))
                continue
            second = int(now)
            known, stamp = self._second
            if known != second:
                stamp = time.strftime(logging.Formatter.default_time_format, time.localtime(second))
                self._second = (second, stamp)
            lines.append(f"{stamp},{int((now - second) * 1000):03d}{prefix}{text}\n")
        try:
            self.stream.write("".join(lines))
            self.stream.flush()
        except RecursionError:
            raise
        except Exception:
            said = {"msg": "%d command lines not written", "args": (len(lines),)}
            self.handleError(logging.makeLogRecord(said))

    def write_kept(self) -> None:
        """Write the kept lines now (a failure to is reported, not raised)."""
        with self.lock:  # type: ignore[union-attr]
            self._write_pending()

    def flush(self) -> None:
        self.write_kept()
        super().flush()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._write_pending()
            stream = self.stream
            stream.write(self.format(record) + self.terminator)
            stream.flush()
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)


_plain: LineHandler | None = None
"""The plain handler :func:`setup_logging` put on the root logger, if it did."""
_handlers: weakref.WeakSet[LineHandler] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for handler in list(_handlers):
        handler._forked()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_after_fork_in_child)


def write_kept() -> None:
    """Write the command lines kept for later now: before something is printed to stderr
    without logging (a message for the person at the terminal, a traceback)."""
    if _plain is not None:
        _plain.write_kept()


class CommandLog:
    """A logger's ``info``, ``warning`` and ``error`` for the line per command.

    ``info`` gives the line straight to the plain handler (:meth:`LineHandler.defer`) when that
    handler, set up by :func:`setup_logging`, is the only one that would receive it and has
    nothing to filter: the same line, ``{asctime} INFO     {name}: {message}``, without the
    ``LogRecord``, the filters and the handler chain (some 550 bytecodes a command, against
    about 40)."""

    __slots__ = ("_prefix", "logger")

    def __init__(self, name: str) -> None:
        self.logger = logging.getLogger(name)
        self._prefix = f" INFO     {name}: "

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
        """Log ``message % args`` at INFO: the arguments are formatted when the line is
        written (:meth:`LineHandler.defer`), a fraction of a second later."""
        handler = self._direct()
        if handler is None:
            self.logger.info(message, *args)
        else:
            handler.defer(time.time(), self._prefix, message, args)

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
