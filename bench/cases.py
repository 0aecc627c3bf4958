"""Lessons 12-14 benchmark: the cached core calls behind each case-study page (simulation and
training at defaults and at the costly extremes) and each page's cold run and rerun time.

Writes docs/bench/cases.md. Run by hand: `python -m bench.cases` (about two minutes on 2 idle
cores). Wall-clock and CPU seconds are both reported: the machine is shared, so wall time includes
waiting for other jobs (the load average is printed).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "app")]

from bench.machine import describe  # noqa: E402
from bench.page_rerun import bench_page  # noqa: E402

from playground import course  # noqa: E402
from playground.cases import ads, eta, fraud  # noqa: E402

OUT = ROOT / "docs" / "bench" / "cases.md"


def timed(label: str, fn) -> tuple[str, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return label, time.perf_counter() - wall, time.process_time() - cpu


def eta_fit(n: int, q: float):
    return eta.fit_models(eta.simulate_trips(n, seed=0), q, seed=0)


def fraud_static(rate: float):
    frame = fraud.simulate_transactions(rate, 0.8, seed=0)
    train = frame[frame.day < fraud.TRAIN_DAYS]
    return [fraud.fit_model(train, h) for h in fraud.HANDLING]


def main() -> None:
    world = ads.make_world(seed=0)
    frame = fraud.simulate_transactions(0.005, 0.8, seed=0)
    core = [
        timed("L12 auction market, 3,000 auctions × 10 bidders", lambda: ads.simulate_market(seed=0)),
        timed("L12 100 logs × 5,000 impressions, IPS/SNIPS/DM/DR", lambda: ads.replicate_estimates(
            world, "epsilon-greedy", 0.1, 5000, 100, 0)),
        timed("L12 same, 20,000 impressions (costly extreme)", lambda: ads.replicate_estimates(
            world, "epsilon-greedy", 0.1, 20000, 100, 0)),
        timed("L12 exploration sweep, 7 levels × 30 logs × 5,000", lambda: ads.exploration_sweep(
            world, "epsilon-greedy", ads.EXPLORE_GRID["epsilon-greedy"], 5000, 30, 0)),
        timed("L13 simulate 8 weeks of transactions (0.5 % fraud)", lambda: fraud.simulate_transactions(0.005)),
        timed("L13 train plain / class-weighted / undersampled models", lambda: fraud_static(0.005)),
        timed("L13 weekly scores, frozen vs retrained (7-day delay)", lambda: fraud.weekly_scores(frame, 7)),
        timed("L13 streaming vs batch (leaky) velocity models", lambda: fraud.leakage_check(frame)),
        timed("L14 simulate + fit P50, P90, mean on 20,000 trips", lambda: eta_fit(20000, 0.9)),
        timed("L14 same on 40,000 trips (costly extreme)", lambda: eta_fit(40000, 0.9)),
    ]
    pages = [bench_page(course.lesson(lid), 5) for lid in ("l12", "l13", "l14")]
    load = os.getloadavg()
    lines = [
        "## Lessons 12-14: case-study cores and pages (bench/cases.py)", "",
        f"Machine: {describe()}. Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, load average "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (shared machine: wall time includes waiting; CPU "
        "seconds are the work itself). Gradient boosting runs on one OpenMP thread "
        "(`threadpool_limits`): on 2 contended cores two threads were 20-40× slower.", "",
        "| core call (cached on the page) | wall s | CPU s |", "|---|---|---|",
        *[f"| {label} | {wall:.2f} | {cpu:.2f} |" for label, wall, cpu in core], "",
        "| page | control moved | cold run | median rerun | max rerun |", "|---|---|---|---|---|",
        *[f"| {r['page']} | {r['control']} | {r['cold']:.1f} s | {r['median'] * 1000:.0f} ms | "
          f"{r['max'] * 1000:.0f} ms |" for r in pages], "",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
