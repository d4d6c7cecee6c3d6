"""Errors the core raises. Each carries a message a person can act on."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class GridbotError(Exception):
    """Base of every error the core raises on purpose."""


class GridFileError(GridbotError):
    """A data file that cannot be served, with the file and line at fault."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line else f"{self.path}"
        super().__init__(f"{where}: {problem}")


class UsageError(GridbotError):
    """An offline command line (``python -m bot ask ...``) that could not be understood."""


class QueryError(GridbotError):
    """A question the grid cannot answer as asked; ``suggestions`` may help the asker."""

    def __init__(self, message: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = tuple(suggestions)
