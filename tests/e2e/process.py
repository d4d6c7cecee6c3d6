"""A bot running in a subprocess through the launcher, with its output captured as it comes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from types import TracebackType
from typing import Self

from .launch import ENV

REPO = Path(__file__).resolve().parents[2]
SEED_DATA = REPO / "data"
TRACEBACK = "Traceback (most recent call last)"


def bot_env(standin_url: str, token: str | None, workdir: Path, **settings: str) -> dict[str, str]:
    """A clean environment: nothing from the caller's (no real token, no proxy), temp dirs set."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        ENV: standin_url,
        "GRIDBOT_DATA_DIR": str(SEED_DATA),
        "GRIDBOT_STATE_DIR": str(workdir / "state"),
    }
    if token is not None:
        env["DISCORD_TOKEN"] = token
    env.update(settings)
    return env


class BotProcess:
    """``python -m tests.e2e.launch <module>`` with ``env``, from ``cwd`` (so no stray ``.env``)."""

    def __init__(
        self,
        env: dict[str, str],
        cwd: Path,
        module: str = "bot",
        args: tuple[str, ...] = (),
        *,
        log_file: Path | None = None,
    ) -> None:
        self.env = env
        self.cwd = cwd
        self.module = module
        self.args = args
        self.log_file = log_file
        """Where stdout and stderr go instead of pipes this process reads (the benchmarks: a
        line the bot logs per command is then no work for the process timing it)."""
        self.proc: asyncio.subprocess.Process | None = None
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._readers: list[asyncio.Task[None]] = []
        self._printed = asyncio.Event()
        """Set whenever a line is read: what :meth:`wait_for_output` waits on."""

    async def start(self) -> Self:
        command = (sys.executable, "-m", "tests.e2e.launch", self.module, *self.args)
        if self.log_file is not None:
            with self.log_file.open("ab") as log:
                self.proc = await asyncio.create_subprocess_exec(
                    *command,
                    env=self.env,
                    cwd=self.cwd,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=log,
                    stderr=asyncio.subprocess.STDOUT,
                )
            return self
        self.proc = await asyncio.create_subprocess_exec(
            *command,
            env=self.env,
            cwd=self.cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self._readers = [
            asyncio.create_task(self._read(self.proc.stdout, self.stdout)),
            asyncio.create_task(self._read(self.proc.stderr, self.stderr)),
        ]
        return self

    async def _read(self, stream: asyncio.StreamReader, into: list[str]) -> None:
        while line := await stream.readline():
            into.append(line.decode(errors="replace"))
            self._printed.set()

    @property
    def output(self) -> str:
        """Everything printed so far, stdout then stderr (or the log file, as written)."""
        if self.log_file is not None:
            return self.log_file.read_text(encoding="utf-8", errors="replace")
        return "".join(self.stdout) + "".join(self.stderr)

    async def wait_for_output(self, text: str, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has printed ``text`` (stdout or stderr); ``TimeoutError`` if it
        has not after ``timeout`` seconds."""
        async with asyncio.timeout(timeout):
            while True:
                self._printed.clear()
                if text in self.output:
                    return
                await self._printed.wait()

    def stderr_mark(self) -> int:
        return len(self.stderr)

    def stderr_since(self, mark: int) -> str:
        return "".join(self.stderr[mark:])

    @property
    def returncode(self) -> int | None:
        return None if self.proc is None else self.proc.returncode

    async def wait(self, timeout: float) -> int:  # noqa: ASYNC109
        """The exit code; ``TimeoutError`` if the bot is still running after ``timeout`` seconds."""
        assert self.proc is not None
        async with asyncio.timeout(timeout):
            code = await self.proc.wait()
            await asyncio.gather(*self._readers)
        return code

    def send_signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    async def stop(self) -> None:
        """Make sure the process is gone: SIGTERM, then SIGKILL after 5 s."""
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.terminate()
        try:
            await self.wait(5)
        except TimeoutError:
            self.proc.kill()
            await self.wait(5)

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()
