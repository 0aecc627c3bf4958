"""The board's cost: building a lesson's board, its DOT and Mermaid text, the server-side SVG
export (Graphviz compiled to WebAssembly: the first export in a process pays for loading it) and
grading a drawn board in the drill. The page draws DOT in the browser, so a rerun pays only for the
board and its DOT text; the SVG is laid out only when its download is clicked.

Writes docs/bench/board.md. Run by hand: `python -m bench.board` (under a minute).
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import datetime, timezone

from bench.machine import describe, write_section
from playground import board as bd
from playground import drill, systems
from playground import framework as fw

REPEATS = 50


def _median_ms(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    load = os.getloadavg()[0]
    start = time.perf_counter()
    bd.to_svg(bd.as_of(systems.SYSTEMS["recsys"], None))
    first_svg = time.perf_counter() - start
    rows = []
    for key, system in systems.SYSTEMS.items():
        last = system.lessons[-1] if system.lessons else None
        board = bd.as_of(system, last, {c.id: "live 1.23" for c in system.components})
        rows.append((system.title, len(system.components), len(system.flows),
                     _median_ms(lambda: bd.as_of(system, last, {c.id: "live 1.23" for c in system.components})),
                     _median_ms(lambda: bd.to_dot(board)), _median_ms(lambda: bd.to_mermaid(board)),
                     _median_ms(lambda: bd.to_svg(board), repeats=5)))
    prompt = next(iter(fw.PROMPTS))
    ref = drill.reference_values(prompt)
    sides = drill.board_sides(ref.get("off", ()), ref.get("on", ()), ref.get("both", ()))
    flows = [drill.parse_flow(f) for f in ref["flows"]]
    grade_ms = _median_ms(lambda: drill.grade(prompt, sides, flows))
    lines = [
        "## The board (bench/board.py)",
        "",
        f"Machine: {describe()}. Load average at start: {load:.1f}. "
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. Medians of {REPEATS} calls (SVG: of 5), "
        "after one SVG export that loads the WebAssembly Graphviz.",
        "",
        f"- First SVG export in a process (loads Graphviz compiled to WebAssembly): {first_svg:.2f} s.",
        f"- Grading the full reference board of \"{prompt}\" in the drill: {grade_ms:.2f} ms.",
        "",
        "| system | boxes | arrows | board with numbers (ms) | DOT (ms) | Mermaid (ms) | SVG export (ms) |",
        "|---|---|---|---|---|---|---|",
        *[f"| {t} | {n} | {f} | {a:.2f} | {d:.2f} | {m:.2f} | {s:.0f} |" for t, n, f, a, d, m, s in rows],
        "",
        f"A page rerun pays for the board and its DOT text (well under {max(r[3] + r[4] for r in rows) + 0.5:.0f} ms); "
        "the 300 ms rerun budget is checked page by page in bench/page_rerun.py.",
    ]
    write_section("board", lines)


if __name__ == "__main__":
    main()
