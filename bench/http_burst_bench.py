"""Bursts of interaction callbacks over aiohttp alone: event loop × connection limit.

Run: .venv/bin/python -m bench.http_burst_bench [--burst 500] [--bursts 5] [--rounds 3]

What discord.py does in a burst of interactions, without discord.py and without the stand-in:
``--burst`` concurrent ``POST /interactions/.../callback?with_response=1`` with a JSON body,
through one ``aiohttp.ClientSession`` (a ``TCPConnector`` with the limit under test:
discord.py's own is ``limit=0``, no limit), each answer read and parsed as JSON. The server
is a bare aiohttp application in another process (asyncio's loop, answering a fixed
message), pinned to the other CPU. Per set-up, the client's CPU time per request and the
requests per second, median over every burst after the first of each run (the first opens
the connections, timed apart: ``first``), set-ups taking turns round after round.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

BODY = {
    "type": 4,
    "data": {
        "embeds": [{"title": "P5 · #14 MG Lola EX257", "description": "RML\n" * 20}],
        "flags": 0,
        "allowed_mentions": {"parse": []},
    },
}
ANSWER = json.dumps(
    {"type": 4, "resource": {"type": 0, "message": {"id": "1", "content": "", "embeds": []}}}
)

SERVER = f"""
import sys
from aiohttp import web

async def callback(request):
    await request.read()
    return web.Response(text={ANSWER!r}, content_type="application/json")

app = web.Application()
app.router.add_post("/interactions/{{id}}/{{token}}/callback", callback)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""

CLIENT = """
import asyncio, json, sys, time
import aiohttp

loop_name, limit, port, burst, bursts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5])
body = sys.stdin.read()
try:
    import orjson
    loads = orjson.loads
except ImportError:
    loads = json.loads

async def one(session, number):
    url = f"http://127.0.0.1:{port}/interactions/{number}/token/callback"
    headers = {"Content-Type": "application/json"}
    async with session.request("POST", url, data=body, headers=headers,
                               params={"with_response": "1"}) as response:
        loads(await response.read())

async def main():
    connector = aiohttp.TCPConnector(limit=limit)
    async with aiohttp.ClientSession(connector=connector) as session:
        results = []
        for number in range(bursts + 1):
            cpu, began = time.process_time(), time.perf_counter()
            await asyncio.gather(*(one(session, i) for i in range(burst)))
            results.append((time.perf_counter() - began, time.process_time() - cpu))
            await asyncio.sleep(0.2)
    print(json.dumps(results))

if loop_name == "uvloop":
    import uvloop
    runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
else:
    runner = asyncio.Runner()
with runner:
    runner.run(main())
"""


@dataclass(frozen=True)
class SetUp:
    loop: str
    limit: int

    @property
    def label(self) -> str:
        return f"{self.loop}, limit={self.limit}"


SET_UPS = (
    SetUp("asyncio", 0),
    SetUp("uvloop", 0),
    SetUp("asyncio", 100),
    SetUp("uvloop", 100),
    SetUp("uvloop", 30),
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def run(set_up: SetUp, burst: int, bursts: int) -> list[tuple[float, float]]:
    port = free_port()
    cpus = sorted(os.sched_getaffinity(0))
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)])
    try:
        if len(cpus) >= 2:
            os.sched_setaffinity(server.pid, {cpus[0]})
        for _ in range(100):  # until it listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        args = [set_up.loop, set_up.limit, port, burst, bursts]
        client = subprocess.run(
            [sys.executable, "-c", CLIENT, *map(str, args)],
            input=json.dumps(BODY),
            capture_output=True,
            text=True,
            check=True,
            preexec_fn=(lambda: os.sched_setaffinity(0, {cpus[1]})) if len(cpus) >= 2 else None,
        )
        return [(float(seconds), float(cpu)) for seconds, cpu in json.loads(client.stdout)]
    finally:
        server.terminate()
        server.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.http_burst_bench", description=__doc__)
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--bursts", type=int, default=5, help="timed bursts per run")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    firsts: dict[SetUp, list[float]] = {s: [] for s in SET_UPS}
    rates: dict[SetUp, list[float]] = {s: [] for s in SET_UPS}
    cpus: dict[SetUp, list[float]] = {s: [] for s in SET_UPS}
    for number in range(args.rounds):
        turn = number % len(SET_UPS)
        for set_up in SET_UPS[turn:] + SET_UPS[:turn]:
            (first, _), *rest = run(set_up, args.burst, args.bursts)
            firsts[set_up].append(args.burst / first)
            for seconds, cpu in rest:
                rates[set_up].append(args.burst / seconds)
                cpus[set_up].append(cpu / args.burst * 1e6)
    print(f"bursts of {args.burst} callbacks, {args.rounds} rounds × {args.bursts} bursts")
    print(f"{'set-up':<22}{'first /s':>10}{'then /s':>10}{'CPU µs/request':>16}")
    for set_up in SET_UPS:
        print(
            f"{set_up.label:<22}{statistics.median(firsts[set_up]):>10,.0f}"
            f"{statistics.median(rates[set_up]):>10,.0f}"
            f"{statistics.median(cpus[set_up]):>16.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
