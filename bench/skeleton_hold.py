"""Why a page's first numbers can wait for its last computation: Streamlit's skeletons and Plotly.

On a fresh page load, Streamlit's frontend draws each element whose code it has not loaded yet
(slider, metric, chart, ...) as a grey skeleton until that code arrives. This bench measures when
the last skeleton turns into content on a tiny self-contained app (a title; one tab with five
sliders, five metrics and, optionally, one Plotly bar chart; then six seconds of server work
before a second tab), in four variants:

* ``chart, server busy``: the work is a CPU-bound loop in the script (what a lesson's build is);
* ``chart, server sleeping``: the same six seconds in ``time.sleep`` (the server idle);
* ``chart, sleeping, other process busy``: the server sleeps while another process, started
  with ``chrt --idle`` (the lowest CPU priority Linux has), keeps one core busy;
* ``no chart, server busy``: the same busy loop, no chart.

Then the same measure on a real page (lesson 8 at its defaults, whose first tab shows metrics and
a chart before its other tabs compute) on a fresh server of this checkout: the first visit, then
visits with other seeds (their seed-dependent builds recompute, the index is cached).

Each variant runs ``--runs`` times on one fresh server, each visit a fresh browser context (cold
browser cache, as a new learner). Writes docs/bench/skeleton_hold.md.

    python -m bench.skeleton_hold [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from bench.machine import describe, write_section  # noqa: E402
from bench.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402

WORK_S = 6.0
APP = f'''
import time
import plotly.graph_objects as go
import streamlit as st

mode = st.query_params.get("mode", "")
st.title("Skeleton hold")
first, second = st.tabs(["first", "second"])
with first:
    for i in range(5):
        st.slider(f"slider {{i}}", 0, 10, 5)
    for col, i in zip(st.columns(5), range(5)):
        col.metric(f"metric {{i}}", i)
    if "chart" in mode:
        st.plotly_chart(go.Figure(go.Bar(x=[1, 2], y=[3, 4])))
start = time.time()
while time.time() - start < {WORK_S}:
    if "sleep" in mode:
        time.sleep(0.05)
    else:
        sum(range(1000))
with second:
    st.write("done")
'''
VARIANTS = {"chart, server busy": ("chart", False), "chart, server sleeping": ("chart-sleep", False),
            "chart, sleeping, other process busy": ("chart-sleep", True), "no chart, server busy": ("", False)}
LESSON = "rag_problem"
STATE = "() => [document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState, " \
        "document.querySelectorAll('[data-testid=\"stSkeleton\"]').length, " \
        "document.querySelectorAll('[data-testid=\"stMetric\"]').length]"


def visit(browser, url: str, hog: bool = False, metrics_drawn: int = 5) -> dict:
    """Seconds from navigation until the first skeleton, until no skeleton is left with the metrics
    drawn, and until the script ended."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    hog_proc = None
    if hog:  # one core busy at the lowest priority, for as long as the script works
        hog_proc = subprocess.Popen(["chrt", "--idle", "0", sys.executable, "-c",
                                     f"import time\nt = time.time()\nwhile time.time() - t < {WORK_S + 1}: pass"])
    start = time.perf_counter()
    page.goto(url)
    seen: dict[str, float] = {}
    while time.perf_counter() - start < 60:
        state, skeletons, metrics = page.evaluate(STATE)
        now = round(time.perf_counter() - start, 2)
        if skeletons and "skeletons" not in seen:
            seen["skeletons"] = now
        if metrics >= metrics_drawn and not skeletons and "drawn" not in seen:
            seen["drawn"] = now
        if state == "notRunning" and now > 2:
            seen["ended"] = now
            if "drawn" in seen:
                break
        page.wait_for_timeout(50)
    if hog_proc:
        hog_proc.wait()
    context.close()
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    load = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        script = Path(tmp) / "app.py"
        script.write_text(APP)
        with streamlit_server(script=script) as (url, _proc):
            visit(browser, f"{url}/?mode=")  # the server's first script run imports plotly
            for label, (mode, hog) in VARIANTS.items():
                runs = [visit(browser, f"{url}/?mode={mode}", hog) for _ in range(args.runs)]
                rows.append((label, runs))
                print(label, runs, flush=True)
        with streamlit_server() as (url, _proc):
            visit(browser, url, metrics_drawn=0)  # a deep link needs the entry script to have run once
            time.sleep(15)  # and that run imports every page's code in the background (~7 CPU-seconds)
            runs = [visit(browser, f"{url}/{LESSON}?seed={seed}", metrics_drawn=1) for seed in range(args.runs)]
            rows.append((f"lesson 8 ({LESSON}): first visit, then other seeds", runs))
            print(rows[-1], flush=True)
        browser.close()

    def cell(runs, key):
        values = [r[key] - r["skeletons"] for r in runs if key in r and "skeletons" in r]
        return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})" if values else "-"

    lines = ["## Skeletons until Plotly is ready (bench/skeleton_hold.py)", "",
             f"Machine: {describe()}. Load average at start: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}. "
             f"The first four rows: Streamlit's own frontend and a tiny app (no playground code); the last: "
             f"lesson 8 of this checkout. One server and one headless Chromium on the same cores, "
             f"{args.runs} fresh-context visits per row.", "",
             "Seconds after the first skeleton appeared: median (min-max).", "",
             f"| variant | every element drawn | script ended ({WORK_S:.0f} s of work) |", "|---|---|---|"]
    lines += [f"| {label} | {cell(runs, 'drawn')} | {cell(runs, 'ended')} |" for label, runs in rows]
    write_section("skeleton_hold", lines)


if __name__ == "__main__":
    main()
