"""Rerun time of every registered page when a widget moves (AppTest, artefacts cached).

For each page: one cold run (builds and caches models, indexes, data), one warm run, then
`--reps` reruns each with the page's first numeric or choice control that the generic fuzzer
moves (bench/pages.py: no retraining, no index rebuild) moved to another
value. Reports the cold time and the median/max rerun time. Writes docs/bench/page_rerun.md.

Run by hand: `python -m bench.page_rerun`. Target: median rerun < 300 ms on every page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "app")]
# the cold run waits for the page's background builds (app/components/background.py), as the tests'
# runs do: otherwise the reruns are timed while those builds still run and each waits for them
os.environ.setdefault("PLAYGROUND_BACKGROUND_WAIT", "600")

from bench.machine import describe, write_section  # noqa: E402
from components.page import declared_controls  # noqa: E402
from bench.pages import fuzzed, open_page, registered  # noqa: E402


def moves(control):
    """Two values to alternate between for one control."""
    if control.kind in ("int", "float"):
        lo, hi = control.lo, control.hi
        a, b = lo + (hi - lo) * 0.25, lo + (hi - lo) * 0.75
        return (round(a), round(b)) if control.kind == "int" else (a, b)
    if control.kind == "choice" and len(control.options) > 1:
        return control.options[0], control.options[1]
    if control.kind == "bool":
        return True, False
    return None


def bench_page(lesson, reps: int) -> dict:
    start = time.perf_counter()
    at = open_page(lesson.id)
    cold = time.perf_counter() - start
    controls = declared_controls(at.session_state, lesson.id)
    target = next((c for c in controls if fuzzed(lesson.id, c.key) and c.key != "seed"
                   and c.kind in ("int", "float", "choice") and moves(c)), None)
    start = time.perf_counter()
    at.run()
    warm = time.perf_counter() - start
    times = []
    for i in range(reps):
        if target is not None:
            at.session_state[target.key] = moves(target)[i % 2]
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, [e.value for e in at.exception]
    return {"page": lesson.label, "control": target.label if target else "(rerun)", "cold": cold,
            "warm": warm, "median": statistics.median(times), "max": max(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    rows = [bench_page(lesson, args.reps) for lesson in registered()]
    lines = [
        "## Page rerun time (bench/page_rerun.py)",
        "",
        f"Machine: {describe()}. AppTest through the entry point; median of {args.reps} reruns "
        "with the named control moved, after a cold run in this process (which builds and caches the page's "
        "artefacts, background builds included; on-disk caches under .cache/ already filled) and a warm run. "
        "Target: median < 300 ms.",
        "",
        "| page | control moved | cold run | median rerun | max rerun |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {r['page']} | {r['control']} | {r['cold']:.1f} s | {r['median'] * 1000:.0f} ms | "
              f"{r['max'] * 1000:.0f} ms |" for r in rows]
    write_section("page_rerun", lines)


if __name__ == "__main__":
    main()
