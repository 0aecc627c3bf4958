"""Does a background build yield to the page a learner moved to? Old and new code side by side.

For each commit (default: ``main`` and this checkout's HEAD) in a fresh clone and on a fresh
server per trial, one raw websocket session opens lesson 3 (its index sweep then builds in the
background) and, as soon as that page has rendered, moves to lesson 4 in the same session; the
seconds and the server CPU-seconds (/proc) until lesson 4 has rendered are recorded, beside lesson
4 opened on a fresh server with nothing else building. Writes docs/bench/yield_page.md.

    python -m bench.yield_page --trials 2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src"), str(ROOT / "app")]

from bench.capacity import cpu_seconds  # noqa: E402
from bench.machine import describe, write_section  # noqa: E402
from bench.server import streamlit_server  # noqa: E402
from bench.st_client import Session  # noqa: E402

FIRST, THEN = "retrieval_ann", "ranking_calibration"
NO_WAIT = {"PLAYGROUND_BACKGROUND_WAIT": None}  # as a learner's server: builds run in the background


async def visit(url: str, pid: int, after_first: bool) -> tuple[float, float]:
    """Seconds and server CPU-seconds until THEN has rendered (after FIRST in the same session)."""
    async with Session(url) as s:
        if after_first:
            await s.open(FIRST)
        cpu, t0 = cpu_seconds(pid), time.perf_counter()
        await s.open(THEN)
        return time.perf_counter() - t0, cpu_seconds(pid) - cpu


def report(results: dict[str, list[tuple[float, float]]], load: tuple, end_load: float, trials: int) -> None:
    """Write docs/bench/yield_page.md."""
    lines = ["## A build yields to the page a learner moved to (bench/yield_page.py)", "",
             f"Machine: {describe()}. Load average at start: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, "
             f"at the end: {end_load:.1f} (1 min). Fresh clone and fresh server per trial; one raw "
             f"websocket session opens {FIRST} (its sweep goes on in the background) and then {THEN}; "
             f"'alone': {THEN} first on a fresh server. Medians of {trials} trials (each trial in brackets).", "",
             f"| commit and case | {THEN} rendered after (s) | server CPU-s meanwhile |", "|---|---|---|"]
    for name, rows in results.items():
        lines.append(f"| {name} | {statistics.median(r[0] for r in rows):.1f} "
                     f"({', '.join(f'{r[0]:.1f}' for r in rows)}) | {statistics.median(r[1] for r in rows):.1f} "
                     f"({', '.join(f'{r[1]:.1f}' for r in rows)}) |")
    write_section("yield_page", lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=2)
    parser.add_argument("--commits", default="main,HEAD")
    args = parser.parse_args()
    load = os.getloadavg()
    results: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="yield-") as tmp:
        for commit in args.commits.split(","):
            clone = Path(tmp) / commit
            subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
            sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", commit], capture_output=True, text=True,
                                 check=True).stdout.strip()
            subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", sha], check=True)
            for after_first in (False, True) * args.trials:
                with streamlit_server(root=clone, env=NO_WAIT) as (url, proc):
                    row = asyncio.run(visit(url, proc.pid, after_first))
                name = f"{commit} ({sha[:7]}): {THEN} " + (f"after {FIRST}" if after_first else "alone")
                results.setdefault(name, []).append(row)
                print(name, row, flush=True)
    report(results, load, os.getloadavg()[0], args.trials)


if __name__ == "__main__":
    main()
