"""Does a background build's lower CPU priority help the page in view? (components/background.py
raises a build thread's nice value by NICE.)

In one process, as on the server: a page rendered under AppTest (the page a learner looks at)
while a build thread trains a torch model (one torch thread, as the lesson-15 build does),
that thread at nice +0 or at nice +NICE, and without any build for reference; conditions
alternate round by round so that the shared machine's load drifts over all of them alike.
Writes docs/bench/background_nice.md.

    python -m bench.background_nice --page l04 --rounds 4 --runs 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src"), str(ROOT / "app")]

from bench.machine import describe, write_section  # noqa: E402
from bench.pages import open_page  # noqa: E402
from components.background import NICE  # noqa: E402


def build(stop: threading.Event, nice: int) -> None:
    """A stand-in build: torch matrix products on one thread at ``nice`` above the process."""
    import torch

    tid = threading.get_native_id()
    os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + nice)
    torch.set_num_threads(1)
    a = torch.randn(512, 512)
    while not stop.is_set():
        a = torch.tanh(a @ a.T / 512)


def page_seconds(page: str, runs: int, nice: int | None) -> list[float]:
    """Wall seconds of ``runs`` renders of the page, meanwhile a build at ``nice`` (None: no build)."""
    stop = threading.Event()
    worker = None if nice is None else threading.Thread(target=build, args=(stop, nice), daemon=True)
    if worker:
        worker.start()
        time.sleep(0.5)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        open_page(page)
        times.append(time.perf_counter() - t0)
    stop.set()
    if worker:
        worker.join()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="l04", help="lesson id of the page rendered meanwhile")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3, help="renders per condition and round")
    args = parser.parse_args()
    load = os.getloadavg()
    open_page(args.page)  # builds and caches the page's own artefacts first
    conditions = {"no build": None, "build at nice +0": 0, f"build at nice +{NICE}": NICE}
    times: dict[str, list[float]] = {name: [] for name in conditions}
    for _ in range(args.rounds):
        for name, nice in conditions.items():
            times[name] += page_seconds(args.page, args.runs, nice)
    lines = ["## A background build's CPU priority (bench/background_nice.py)", "",
             f"Machine: {describe()}. Load average at start: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, "
             f"at the end: {os.getloadavg()[0]:.1f} (1 min). Page {args.page} rendered under AppTest "
             f"through the entry point (artefacts cached) {args.rounds} × {args.runs} times per condition, "
             "conditions alternating; the build: torch products on one thread in the same process.", "",
             "| condition | median render | p90 render |", "|---|---|---|"]
    for name, ts in times.items():
        ts = sorted(ts)
        lines.append(f"| {name} | {statistics.median(ts):.2f} s | {ts[int(0.9 * (len(ts) - 1))]:.2f} s |")
    write_section("background_nice", lines)


if __name__ == "__main__":
    main()
