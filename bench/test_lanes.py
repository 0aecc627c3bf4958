"""Wall time of the two test lanes on a fresh clone (no `.cache/`), as a contributor runs them.

    python -m bench.test_lanes                 # fast lane, then the full suite (browser tests included)
    python -m bench.test_lanes --lane fast

Each lane runs in its own fresh `git clone` of the committed HEAD, with pyproject's options (on
every core: pytest-xdist's `-n auto`). Writes docs/bench/tests.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from bench.machine import describe, write_section  # noqa: E402

LANES = {"fast": ["-m", "not slow and not browser"], "full": []}
TARGETS = {"fast": 120, "full": 480}


def run_lane(name: str) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system of the clone and of pytest with its children) and
    pytest's summary line of one lane."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory(prefix=f"lane-{name}-") as tmp:
        clone = Path(tmp) / "playground"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        env = {**os.environ, "PYTHONPATH": f"{clone / 'src'}:{clone / 'app'}"}
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *LANES[name]],
                             cwd=clone, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = next((line for line in reversed(out.stdout.splitlines())
                    if " in " in line and any(w in line for w in ("passed", "failed", "error"))),
                   f"pytest exit code {out.returncode}")
    return seconds, cpu, summary.strip("= ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lane", choices=[*LANES, "both"], default="both")
    args = parser.parse_args()
    head = subprocess.run(["git", "-C", str(ROOT), "log", "--oneline", "-1"], capture_output=True,
                          text=True).stdout.strip()
    lines = ["## Test lanes (bench/test_lanes.py)", "",
             f"Machine: {describe()}. Commit {head}; each lane in a fresh `git clone` (no `.cache/`).", "",
             "| lane | command | target | wall time | CPU time | load average before, after | result |",
             "|---|---|---|---|---|---|---|"]
    for name in (LANES if args.lane == "both" else [args.lane]):
        load = os.getloadavg()[0]
        seconds, cpu, summary = run_lane(name)
        command = "python -m pytest" + "".join(" " + (f'"{a}"' if " " in a else a) for a in LANES[name])
        lines.append(f"| {name} | `{command}` | < {TARGETS[name] // 60} min | {seconds / 60:.1f} min | "
                     f"{cpu / 60:.1f} min | {load:.1f}, {os.getloadavg()[0]:.1f} | {summary} |")
        print(lines[-1], flush=True)
    lines += ["", f"Both lanes run on every core ({os.cpu_count()} here: pytest-xdist's `-n auto`, one worker per "
              "core, plus one when the browser tests run; each page's tests in one worker). On a shared machine "
              "the wall time grows with the load (other processes take the cores); the CPU time is what the "
              "lane itself costs (the browser tests' server and Chromium included).",
              "", "CI runs the full lane (`python -m pytest`, browser tests included)."]
    write_section("tests", lines)


if __name__ == "__main__":
    main()
