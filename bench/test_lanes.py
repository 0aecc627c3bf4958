"""Wall time of the two test lanes on a fresh clone (no `.cache/`), as a contributor runs them.

    python -m bench.test_lanes                 # fast lane, then the full suite (without browsers)
    python -m bench.test_lanes --lane fast

Each lane runs in its own fresh `git clone` of the committed HEAD. Writes docs/bench/tests.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from bench.machine import describe, write_section  # noqa: E402

LANES = {"fast": ["-m", "not slow and not browser"], "full": ["-m", "not browser"]}
TARGETS = {"fast": 120, "full": 480}


def run_lane(name: str) -> tuple[float, str]:
    with tempfile.TemporaryDirectory(prefix=f"lane-{name}-") as tmp:
        clone = Path(tmp) / "playground"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        env = {**os.environ, "PYTHONPATH": f"{clone / 'src'}:{clone / 'app'}"}
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *LANES[name]],
                             cwd=clone, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    summary = next((line for line in reversed(out.stdout.splitlines()) if " in " in line and "=" in line),
                   out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "no output")
    return seconds, summary.strip("= ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lane", choices=[*LANES, "both"], default="both")
    args = parser.parse_args()
    head = subprocess.run(["git", "-C", str(ROOT), "log", "--oneline", "-1"], capture_output=True,
                          text=True).stdout.strip()
    lines = ["## Test lanes (bench/test_lanes.py)", "",
             f"Machine: {describe()}. Commit {head}; each lane in a fresh `git clone` (no `.cache/`).", "",
             "| lane | command | target | wall time | load average before | result |", "|---|---|---|---|---|---|"]
    for name in (LANES if args.lane == "both" else [args.lane]):
        load = os.getloadavg()[0]
        seconds, summary = run_lane(name)
        command = "python -m pytest " + " ".join(f'"{a}"' if " " in a else a for a in LANES[name])
        lines.append(f"| {name} | `{command}` | < {TARGETS[name] // 60} min | {seconds / 60:.1f} min | "
                     f"{load:.1f} | {summary} |")
        print(lines[-1], flush=True)
    lines += ["", "CI runs everything (`python -m pytest`, browser tests included)."]
    write_section("tests", lines)


if __name__ == "__main__":
    main()
