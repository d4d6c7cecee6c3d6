"""A burst of interactions at the real bot: none may be lost, each answers its own position.

Run: .venv/bin/python -m bench.burst_bench [--size 500] [--deadline 3]

The real bot is started as the e2e tests start it (``tests/e2e/process.py``) against a fresh
loopback stand-in. ``--size`` ``/grid position:N`` interactions (N cycling over the seed grid's
34 places) are dispatched back to back; every one must be acknowledged with its own position's
answer. Latency is from the interaction leaving the stand-in to its callback arriving there;
throughput is interactions per second from the first dispatch to the last callback.

The stand-in keeps Discord's 3 s acknowledgement deadline (``--deadline``): an answer later than
that is refused, as Discord would refuse it, and counts as lost. The exit status is 1 when any
interaction was lost or answered wrongly, 0 otherwise. This used to be an e2e test
(``tests/e2e/test_faults.py``); it is a load measurement, so it lives here.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.process import BotProcess, bot_env
from tests.e2e.standin import CallbackResult, StandIn

GUILD_SYNC = "PUT /applications/{application_id}/guilds/{guild_id}/commands"
STARTUP_TIMEOUT = 30.0
BURST_TIMEOUT = 60.0
PLACES = 34
"""Cars on the seed grid: positions cycle over 1..34."""


@dataclass(frozen=True)
class Result:
    sent: int
    answered: int
    wrong: list[str]
    p50_ms: float
    p99_ms: float
    per_second: float

    @property
    def lost(self) -> int:
        return self.sent - self.answered

    def report(self) -> str:
        return "\n".join(
            [
                f"burst of {self.sent} /grid interactions",
                f"  answered      {self.answered}",
                f"  lost          {self.lost}",
                f"  wrong answer  {len(self.wrong)}",
                f"  latency p50   {self.p50_ms:.1f} ms",
                f"  latency p99   {self.p99_ms:.1f} ms",
                f"  throughput    {self.per_second:.0f} interactions/s",
                "  none lost" if self.lost == 0 and not self.wrong else "  SOME LOST OR WRONG",
            ]
        )


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of ``values`` (``fraction`` in 0..1)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def wrong_answers(positions: list[int], answers: list[CallbackResult]) -> list[str]:
    problems = []
    for position, answer in zip(positions, answers, strict=True):
        embeds = answer.embeds
        title = str(embeds[0].get("title", "")) if embeds else ""
        if not title.startswith(f"P{position} "):
            problems.append(f"position {position}: {title or answer.body}")
    return problems


async def burst(standin: StandIn, size: int) -> Result:
    positions = [i % PLACES + 1 for i in range(size)]
    ids = [await standin.invoke("grid", position=p) for p in positions]
    try:
        answers = await standin.wait_for_responses(ids, timeout=BURST_TIMEOUT)
    except (TimeoutError, AssertionError) as error:
        # A refused (late) or missing callback: count what the stand-in accepted.
        print(f"not every interaction was answered: {error}", file=sys.stderr)
        accepted = {
            r.match["interaction_id"]
            for r in standin.requests("POST /interactions/{interaction_id}/{token}/callback")
            if r.status == 200
        }
        return Result(size, len(accepted & set(ids)), [], math.nan, math.nan, math.nan)
    began = standin.interactions.by_id[ids[0]].dispatched_at
    seconds = max(a.record.at for a in answers) - began
    latencies = [a.latency * 1000 for a in answers]
    answered = len({a.record.match["interaction_id"] for a in answers})
    return Result(
        sent=size,
        answered=answered,
        wrong=wrong_answers(positions, answers),
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        per_second=size / seconds if seconds > 0 else math.inf,
    )


async def run(size: int, deadline: float) -> Result:
    with tempfile.TemporaryDirectory(prefix="gridbot-burst-") as scratch:
        workdir = Path(scratch)
        async with StandIn(deadline=deadline) as standin:
            env = bot_env(
                standin.base_url,
                standin.world.token,
                workdir,
                GRIDBOT_DEV_GUILD_ID=str(standin.world.guild_id),
            )
            async with BotProcess(env, workdir) as bot:
                try:
                    await standin.wait_for_key(GUILD_SYNC, timeout=STARTUP_TIMEOUT)
                    await standin.wait_for_key("WS IDENTIFY", timeout=STARTUP_TIMEOUT)
                    await standin.gateway.caught_up(timeout=STARTUP_TIMEOUT)
                except (TimeoutError, RuntimeError) as error:
                    raise SystemExit(f"the bot did not come up: {error}\n{bot.output}") from None
                return await burst(standin, size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=500, help="interactions in the burst")
    parser.add_argument(
        "--deadline", type=float, default=3.0, help="acknowledgement deadline, seconds"
    )
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.size, args.deadline))
    print(result.report())
    for problem in result.wrong[:10]:
        print(f"  {problem}")
    return 0 if result.lost == 0 and not result.wrong else 1


if __name__ == "__main__":
    sys.exit(main())
