"""Every benchmark, then one table: metric, value, target, met or missed.

Run: .venv/bin/python -m bench.run_all   (or ``make bench``; some ten minutes)

Each benchmark runs in a fresh interpreter, its own output shown as it comes, so one cannot
disturb another's timings or memory. The table is read from what each script prints (the
end-to-end one writes JSON); a script that is missing gives a "not available" row, and one
whose output cannot be read gives an "unreadable" row rather than a guess.

Exit status 0 when every benchmark ran (missed targets are in the table), 1 when one failed;
``--strict`` also fails on a missed target.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRIPT_TIMEOUT = 300.0
E2E_TIMEOUT = 1500.0
"""The end-to-end benchmark: five subjects, five rounds, some 10 minutes here."""
CORE_TARGET_US = 50.0
ARCHIVE_GRIDS = 1000
STALL_MS = 50.0


@dataclass(frozen=True)
class Row:
    metric: str
    value: str
    target: str = ""
    met: bool | None = None
    status: str = ""
    """Overrides the verdict: ``not available``, ``unreadable``, ``failed``."""

    @property
    def verdict(self) -> str:
        if self.status:
            return self.status
        return "—" if self.met is None else ("met" if self.met else "MISSED")


@dataclass(frozen=True)
class Output:
    code: int
    text: str


def run_script(module: str, *args: str, timeout: float = SCRIPT_TIMEOUT) -> Output:
    """``python -m module args``, echoed indented as it runs; killed after ``timeout`` s."""
    command = [sys.executable, "-m", module, *args]
    print(f"\n$ python -m {module} {' '.join(args)}".rstrip(), flush=True)
    proc = subprocess.Popen(
        command,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    watchdog = threading.Timer(timeout, proc.kill)
    watchdog.start()
    lines = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            print("    " + line, end="", flush=True)
            lines.append(line)
        code = proc.wait()
    finally:
        watchdog.cancel()
    return Output(code, "".join(lines))


def number(text: str) -> float:
    return float(text.replace(",", ""))


# What each script prints, read into rows.


def core_rows(out: Output) -> list[Row]:
    rows = []
    for label, command, p50, p99 in re.findall(
        r"^\|\s*([^|]+?)\s*\|\s*(/\w+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|", out.text, re.M
    ):
        seed = label.startswith("seed")
        rows.append(
            Row(
                f"core {command} p50, {label}",
                f"{number(p50):.1f} µs (p99 {number(p99):.1f})",
                f"≤ {CORE_TARGET_US:g} µs" if seed else "",
                number(p50) <= CORE_TARGET_US if seed else None,
            )
        )
    return rows


def autocomplete_rows(out: Output) -> list[Row]:
    names = re.search(r"over ([\d,]+) names", out.text)
    found = re.search(r"p50 ([\d.]+) ms\s+p99 ([\d.]+) ms", out.text)
    target = re.search(r"target: p99 < ([\d.]+) ms", out.text)
    if not (names and found):
        return []
    p50, p99 = number(found[1]), number(found[2])
    bound = number(target[1]) if target else None
    return [
        Row(
            f"autocomplete p99, {names[1]} names",
            f"{p99:.2f} ms (p50 {p50:.3f})",
            f"< {bound:g} ms" if bound is not None else "",
            p99 < bound if bound is not None else None,
        )
    ]


def chart_rows(out: Output) -> list[Row]:
    first = re.search(r"first chart \(imports matplotlib\): ([\d.]+) s", out.text)
    busy = re.search(r"^(/grid, \d+ charts rendering)\s.*?p99\s+([\d.]+) ms", out.text, re.M)
    target = re.search(r"target: p99 < ([\d.]+) ms", out.text)
    if not busy:
        return []
    p99 = number(busy[2])
    bound = number(target[1]) if target else None
    rows = [
        Row(
            f"{busy[1]}: p99",
            f"{p99:.1f} ms",
            f"< {bound:g} ms" if bound is not None else "",
            p99 < bound if bound is not None else None,
        )
    ]
    if first:
        rows.append(Row("first /chart (imports matplotlib)", f"{number(first[1]):.2f} s"))
    return rows


def archive_rows(out: Output) -> list[Row]:
    load = re.search(r"load time\s+([\d.]+) s\s+target < ([\d.]+) s", out.text)
    rss = re.search(r"RSS after load\s+([\d.]+) MB\s+target < ([\d.]+) MB", out.text)
    size = re.search(r"archive: ([\d,]+) grids × (\d+) cars", out.text)
    label = f"{size[1]} grids × {size[2]} cars" if size else "archive"
    rows = []
    if load:
        value, bound = number(load[1]), number(load[2])
        rows.append(
            Row(f"archive load, {label}", f"{value:.3f} s", f"< {bound:g} s", value < bound)
        )
    if rss:
        value, bound = number(rss[1]), number(rss[2])
        rows.append(
            Row("archive RSS after load", f"{value:.1f} MB", f"< {bound:g} MB", value < bound)
        )
    return rows


def server_rows(out: Output) -> list[Row]:
    """Per-server libraries: cold and warm lookups, RSS with the cache full, imports."""
    rows = []
    cold = re.search(
        r"cold first lookup \((\d+) servers\): p50 ([\d.]+) ms  p99 ([\d.]+) ms", out.text
    )
    if cold:
        p99 = number(cold[3])
        rows.append(
            Row(
                "cold server, first lookup p99",
                f"{p99:.2f} ms (p50 {cold[2]})",
                "< 20 ms",
                p99 < 20,
            )
        )
    ratio = re.search(r"warm/core p50 ratio: ([\d.]+)x", out.text)
    if ratio:
        value = number(ratio[1])
        rows.append(Row("warm lookup, server/core p50", f"{value:.2f}×", "≤ 1.1×", value <= 1.1))
    rss = re.search(r"RSS after .*?: ([\d.]+) MB", out.text)
    if rss:
        value = number(rss[1])
        rows.append(
            Row("RSS, 10,000 servers, cache full", f"{value:.1f} MB", "< 150 MB", value < 150)
        )
    imports = re.search(r"import \((\d+)\): p50 ([\d.]+) ms  p99 ([\d.]+) ms", out.text)
    if imports:
        p99 = number(imports[3])
        rows.append(Row("import p99", f"{p99:.2f} ms (p50 {imports[2]})", "< 50 ms", p99 < 50))
    return rows


def pages_rows(out: Output) -> list[Row]:
    """Whole-grid answers with stateless buttons: RSS growth over 10,000 answers."""
    grown = re.search(r"grew ([\d.]+) MB \(target: within ([\d.]+) MB\)", out.text)
    if not grown:
        return []
    value, bound = number(grown[1]), number(grown[2])
    return [
        Row(
            "RSS growth, 10,000 whole-grid answers",
            f"{value:.1f} MB",
            f"≤ {bound:g} MB",
            value <= bound,
        )
    ]


def bounded_rows(pattern: str, text: str) -> list[Row]:
    """A row per line matching ``pattern``, whose groups are the name, the value, its unit and
    the bound it must not exceed: ``stall /reload: 11.3 ms (target ≤ 50 ms)``."""
    return [
        Row(name, f"{number(value):g} {unit}", f"≤ {bound} {unit}", number(value) <= number(bound))
        for name, value, unit, bound in re.findall(pattern, text, re.MULTILINE)
    ]


def stall_rows(out: Output) -> list[Row]:
    """Hostile grids: the worst event-loop stall per operation, RSS over replace cycles, and
    an ordinary chart behind hostile ones."""
    pattern = r"^(stall .+?|ordinary /chart .+?): ([\d.]+) (ms|s) \(target ≤ ([\d.]+) (?:ms|s)\)"
    rows = bounded_rows(pattern, out.text)
    first = [number(v) for v in re.findall(r"first server lookup stall: ([\d.]+) ms", out.text)]
    if first:
        rows.append(
            Row(
                "stall, a replaced grid's first lookup (worst of 5)",
                f"{max(first):g} ms",
                f"≤ {STALL_MS:g} ms",
                max(first) <= STALL_MS,
            )
        )
    rss = re.findall(r"replace cycle \d+: RSS: ([\d.]+) MiB", out.text)
    if rss:
        rows.append(Row("RSS over 5 import-replace cycles", " → ".join(rss) + " MiB", "flat"))
    return rows


def readers_rows(out: Output) -> list[Row]:
    """Results readers: the peak memory of ``parse_grids`` on each format's largest files, as a
    multiple of the file's size (the worst file of each format)."""
    pattern = r"^largest, (.+?): ([\d.]+)× its size \(peak ([\d.]+) MiB, (.+)\) target ≤ ([\d.]+)×"
    return [
        Row(
            f"parse peak memory, {name} ({sample})",
            f"{number(ratio):.2f}× file size ({number(peak):.1f} MiB)",
            f"≤ {bound}×",
            number(ratio) <= number(bound),
        )
        for name, ratio, peak, sample, bound in re.findall(pattern, out.text, re.MULTILINE)
    ]


def watch_rows(out: Output) -> list[Row]:
    """Watched folders: the worst delay from a results file to its post, the event loop's
    worst stall during a burst of files, and /grid's p99 during a burst over idle."""
    pattern = (
        r"^(file to post \(worst\)|stall during a burst of .+?): "
        r"([\d.]+) (s|ms) \(target ≤ ([\d.]+) (?:s|ms)\)"
    )
    rows = bounded_rows(pattern, out.text)
    during = re.search(r"^/grid while (\d+) files land: .*$", out.text, re.MULTILINE)
    if during:
        rows.append(Row(f"/grid while {during[1]} files land", during[0].split(": ", 1)[1]))
    return rows


def e2e_rows(results: Path) -> list[Row]:
    """The bot against the plain floor, the speed floor and the two same-question floors."""
    rows = []
    for metric in json.loads(results.read_text(encoding="utf-8")):
        unit = metric["unit"]
        plain, speed, bot = metric["plain"], metric["speed"], metric["bot"]
        if unit == "lost":
            value = f"{bot:.0f} (floors: plain {plain:.0f}, speed {speed:.0f})"
        else:
            shown = {"/s": "{:,.0f}/s", "µs": "{:.0f} µs", "MiB": "{:.1f} MiB"}.get(
                unit, "{:.2f} " + unit
            )
            value = (
                f"{metric['ratio']:.2f}× ({shown.format(bot)} vs {shown.format(plain)}); "
                f"{metric['speed_ratio']:.2f}× speed floor ({shown.format(speed)})"
            )
            value += f"; {metric['same_ratio']:.2f}× same-question floor"
            if "plain_same_ratio" in metric:
                value += f"; {metric['plain_same_ratio']:.2f}× plain same-question floor"
            for floor, ratio in metric.get("out_of_reach", {}).items():
                value += f"; out of reach: discord.py alone (same) is {ratio:.2f}× {floor}"
        name = "e2e commands lost" if unit == "lost" else f"e2e {metric['name']}, bot/plain floor"
        rows.append(
            Row(
                name,
                value,
                metric["target"],
                metric["met"],
            )
        )
    return rows


def shards_rows(results: Path) -> list[Row]:
    """Two processes × two shards beside one process with the four: figures and ratios."""
    found = json.loads(results.read_text(encoding="utf-8"))
    cluster, single, plan = found["cluster"], found["single"], found["plan"]
    label = f"shards, {plan['guilds']:,} servers, bursts of {plan['burst']:,}"
    rows = []
    for name, key, shown in (
        ("p50", "p50_ms", "{:.0f} ms"),
        ("p99", "p99_ms", "{:.0f} ms"),
        ("throughput", "per_second", "{:,.0f}/s"),
        ("NOTIFY → answered from the change, p50", "notify_p50_ms", "{:.1f} ms"),
    ):
        a, b = cluster[key], single[key]
        ratio = f"{a / b:.2f}×" if b else "—"
        rows.append(
            Row(
                f"{label}: {name}, 2 processes / 1",
                f"{ratio} ({shown.format(a)} vs {shown.format(b)})",
            )
        )
    lost = cluster["lost"] + single["lost"] + cluster["wrong"] + single["wrong"]
    rows.append(Row(f"{label}: lost or wrong", str(lost), "0", lost == 0))
    worst = cluster["notify_max_ms"]
    rows.append(
        Row(
            "shards: change seen by the other process, worst",
            f"{worst:.1f} ms",
            "< 1 s",
            worst < 1000,
        )
    )
    return rows


# The benchmarks, in the order they run.


def read(name: str, out: Output, reader: Callable[[Output], list[Row]]) -> list[Row]:
    """The rows ``reader`` finds in ``out``, or one row saying why there are none."""
    rows = reader(out)
    if rows:
        return rows
    if out.code != 0:
        return [Row(name, f"exit status {out.code} (see its output above)", status="failed")]
    return [Row(name, "its output above could not be read", status="unreadable")]


def archive_generator() -> Callable[..., object] | None:
    """``bench.archive_bench.write_archive`` when that benchmark is there, else ``None``."""
    try:
        module = importlib.import_module("bench.archive_bench")
    except ImportError:
        return None
    writer = getattr(module, "write_archive", None)
    return writer if callable(writer) else None


def core(tmp: Path) -> list[Row]:
    args: list[str] = []
    rows: list[Row] = []
    write_archive = archive_generator()
    if write_archive is None:
        rows.append(
            Row("core on an archive", "skipped: no bench.archive_bench.write_archive to make one")
        )
    else:
        archive = tmp / "archive"
        archive.mkdir()
        try:
            write_archive(archive, ARCHIVE_GRIDS)
            args = ["--archive", str(archive)]
        except Exception as error:  # another engineer's script: report it, run the rest
            rows.append(Row("core on an archive", f"skipped: write_archive failed: {error!r}"))
    return read("core answer", run_script("bench.core_bench", *args), core_rows) + rows


def archive() -> list[Row]:
    if not (REPO / "bench" / "archive_bench.py").is_file():
        return [
            Row(
                f"archive load, {ARCHIVE_GRIDS:,} grids × 60 cars",
                "bench/archive_bench.py is not there",
                "< 1 s",
                status="not available",
            )
        ]
    return read("archive load", run_script("bench.archive_bench"), archive_rows)


def e2e(tmp: Path) -> list[Row]:
    results = tmp / "e2e.json"
    out = run_script("bench.e2e_bench", "--json", str(results), timeout=E2E_TIMEOUT)
    if not results.is_file():
        return [
            Row("end to end", f"exit status {out.code} (see its output above)", status="failed")
        ]
    return e2e_rows(results)


SHARDS_ARGS: tuple[str, ...] = ()
"""The full size (20,000 servers, bursts of 2,000): about 3 minutes here, within the timeout."""


def shards(tmp: Path) -> list[Row]:
    results = tmp / "shards.json"
    out = run_script("bench.shards_bench", *SHARDS_ARGS, "--json", str(results))
    if not results.is_file():
        return [Row("shards", f"exit status {out.code} (see its output above)", status="failed")]
    rows = shards_rows(results)
    if out.code != 0:
        rows.append(
            Row("shards", f"exit status {out.code} (see its output above)", status="failed")
        )
    return rows


def table(rows: list[Row]) -> str:
    lines = ["| metric | value | target | |", "|---|---|---|---|"]
    lines += [f"| {r.metric} | {r.value} | {r.target or '—'} | {r.verdict} |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_all", description=__doc__)
    parser.add_argument("--strict", action="store_true", help="exit 1 on a missed target too")
    args = parser.parse_args(argv)
    started = time.monotonic()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="gridbot-bench-") as name:
        tmp = Path(name)
        rows += core(tmp)
        rows += read("autocomplete", run_script("bench.autocomplete_bench"), autocomplete_rows)
        rows += read("chart", run_script("bench.chart_bench"), chart_rows)
        rows += archive()
        rows += read("server libraries", run_script("bench.server_bench"), server_rows)
        rows += read("page buttons", run_script("bench.pages_bench"), pages_rows)
        rows += read("hostile grids", run_script("bench.stall_bench"), stall_rows)
        rows += read("results readers", run_script("bench.readers_bench"), readers_rows)
        rows += read("watched folders", run_script("bench.watch_bench"), watch_rows)
        rows += e2e(tmp)
        rows += shards(tmp)
    print(f"\nAll benchmarks ({time.monotonic() - started:.0f} s):\n")
    print(table(rows))
    failed = [r for r in rows if r.status in ("failed", "unreadable")]
    missed = [r for r in rows if r.met is False]
    print(f"\n{len(missed)} target(s) missed, {len(failed)} benchmark(s) failed")
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
