"""First visit of every page on a fresh clone and a fresh server, as a new user sees it.

Clones the committed HEAD of this checkout into a temporary folder (no `.cache/`), starts
`streamlit run` there, and opens every page in turn in one headless Chromium, recording for each
page the seconds until the header, the first metric, the verdict and the first chart are visible,
and until the page is complete (no script running, no background progress bar left), plus the
server's CPU-seconds (/proc) and the CPU steal meanwhile. Writes docs/bench/first_visit.md.

    python -m bench.first_visit            # every page (a few minutes on 2 cores)
    python -m bench.first_visit --warm     # the same after `python -m playground.warm` in the clone
    python -m bench.first_visit --pages rag_evaluation   # home, then only these pages; prints,
                                                         # leaves docs/bench/ alone
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src"), str(ROOT / "app")]

from bench.capacity import cpu_seconds, rss_mib  # noqa: E402
from bench.machine import cpu_jiffies, describe, steal_share, write_section  # noqa: E402
from bench.pages import registered  # noqa: E402
from bench.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402

TARGET_S = 5.0
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
CALM_S = 1.5
"""How long a page must stay idle without a progress bar to count as complete: longer than a
background build's progress refresh (1 s, app/components/background.py), whose bars appear only
when that refresh first runs, a second or more after the page's own run ended."""
IDLE_CORE = 0.2
"""Share of a core the server may use during that time (a background build uses a whole one)."""


SELECTORS = {"metric": '[data-testid="stMetric"]',
             # the live verdict at the top (st.success: the design holds; st.error: it breaks)
             "verdict": '.st-key-page_verdict [data-testid="stAlert"]',
             "chart": '[data-testid="stPlotlyChart"]'}
SEEN = ("header", *SELECTORS)
HOME_TITLE = "ML System Design Playground"


@dataclass(frozen=True)
class Visit:
    """One page's first visit: seconds from navigation until each of :data:`SEEN` was visible
    (``None``: never) and until the page was complete, the server's CPU-seconds meanwhile, whether
    an exception box showed, and the CPU steal meanwhile (a share of the machine's CPU time)."""

    page: str
    seen: dict
    complete: float | None
    server_cpu_s: float
    exception: bool
    steal: float

    def useful(self) -> float:
        """Seconds until the header, the first metric, the verdict and the first chart were all
        visible; one never seen counts as never only if the page never completed either (a
        complete page has none: e.g. a page without a live verdict)."""
        header = self.seen["header"]
        parts = [header if header is not None else float("inf")]
        parts += [x if x is not None else (float("inf") if self.complete is None else 0.0)
                  for name, x in self.seen.items() if name != "header"]
        return max(parts)


def watch(page, start: float, timeout_s: float, title: str, server_pid: int) -> tuple[dict, float | None]:
    """Poll the page every 0.1 s: when each of :data:`SEEN` became visible (``None``: never), and
    when it was complete (``None``: not within ``timeout_s``): no script running, no background
    progress bar and the server idle (under :data:`IDLE_CORE` of a core) for :data:`CALM_S`."""
    # the header of *this* page (the previous page's, or none, until its script has run)
    selectors = {"header": f'[data-testid="stMain"] h1:has-text({json.dumps(title, ensure_ascii=False)})', **SELECTORS}
    first: dict = {name: None for name in selectors}
    calm_since, calm_cpu = None, 0.0
    while time.perf_counter() - start < timeout_s:
        now = time.perf_counter() - start
        for name, selector in selectors.items():
            # the first *visible* match: a metric or chart in a closed tab or expander is in the DOM but unseen
            if first[name] is None and page.locator(f"{selector} >> visible=true").count():
                first[name] = now
        calm = bool(page.locator(IDLE).count()) and not page.locator('[data-testid="stProgress"]').count()
        if calm and first["header"] is not None:
            if calm_since is None:
                calm_since, calm_cpu = now, cpu_seconds(server_pid)
            elif now - calm_since >= CALM_S:
                if cpu_seconds(server_pid) - calm_cpu <= IDLE_CORE * (now - calm_since):
                    return first, calm_since
                calm_since = None  # a build is still running in the server: not complete
        else:
            calm_since = None
        page.wait_for_timeout(100)
    return first, None


def report(visits: list[Visit], head: str, load: tuple, warm_s: float | None, memory: float | None,
           complete_cap: float) -> None:
    """Write docs/bench/first_visit[_warm].md from the pages measured so far."""

    def fmt(x):
        return "-" if x is None else f"{x:.1f}"

    lines = ["## First visit on a fresh clone (bench/first_visit.py)", "",
             f"Machine: {describe()}. Load average at start: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}. "
             f"Commit {head}; a fresh `git clone` (no `.cache/`), "
             + (f"`python -m playground.warm` run first ({warm_s:.0f} s), " if warm_s is not None else "no warm-up, ")
             + "one fresh server, one headless Chromium (on the same two cores) visiting every page in turn.", "",
             "Seconds from navigation until the header, the first metric, the verdict (the green or red "
             "live verdict at the top of the page) and the first chart are visible, "
             f"and until the page is complete (no script running, no background progress bar; '-' after "
             f"{complete_cap:.0f} s: the bench moved on while the background build went on); the server's "
             "CPU-seconds meanwhile (its /proc entry), and the share of the machine's CPU time the "
             "hypervisor gave to other guests meanwhile (steal: the page's times stretch with it).", "",
             "| page | header | first metric | verdict | first chart | complete | server CPU-s | CPU steal "
             "| exception |",
             "|---|---|---|---|---|---|---|---|---|"]
    for v in visits:
        lines.append(f"| {v.page} | " + " | ".join(fmt(v.seen[name]) for name in SEEN)
                     + f" | {fmt(v.complete)} | {v.server_cpu_s:.1f} | {v.steal:.0%} | "
                     + f"{'yes' if v.exception else 'no'} |")
    over = [v.page for v in visits if v.useful() > TARGET_S]
    lines += ["", f"Pages whose header, first metric, verdict and first chart took over {TARGET_S:.0f} s (one "
              "never seen counts when the page never completed): "
              + (", ".join(over) if over else "none") + "."
              + (f" Server memory at the end: {memory:.0f} MiB." if memory is not None else ""), ""]
    write_section("first_visit" + ("_warm" if warm_s is not None else ""), lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", action="store_true", help="run python -m playground.warm in the clone first")
    parser.add_argument("--timeout", type=float, default=90, help="seconds a page may take to complete")
    parser.add_argument("--pages", nargs="+", metavar="SLUG", help="only these pages (slug without its "
                        "number, e.g. retrieval_ann) after the home page; the report is printed, not written")
    args = parser.parse_args()
    chosen = [le for le in registered() if args.pages is None or le.slug[3:] in args.pages]
    if args.pages and len(chosen) != len(set(args.pages)):
        parser.error(f"unknown page among {args.pages}; known: {[le.slug[3:] for le in registered()]}")
    from playwright.sync_api import sync_playwright

    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="fresh-clone-") as tmp:
        clone = Path(tmp) / "playground"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        head = subprocess.run(["git", "-C", str(clone), "log", "--oneline", "-1"], capture_output=True,
                              text=True).stdout.strip()[:60]
        warm_s = None
        if args.warm:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "playground.warm"], cwd=clone, check=True,
                           env={**os.environ, "PYTHONPATH": f"{clone / 'src'}"})
            warm_s = time.perf_counter() - t0
        visits = []
        with streamlit_server(root=clone, env={"PLAYGROUND_BACKGROUND_WAIT": None}) as (url, proc), \
                sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            # a new user lands on the home page first (`streamlit run` opens it); Streamlit also
            # serves a deep link on a server whose entry script never ran without its navigation
            for name, path, title in [("home", "", HOME_TITLE),
                                      *((le.slug[3:], le.slug[3:], le.label) for le in chosen)]:
                cpu0, jiffies0, start = cpu_seconds(proc.pid), cpu_jiffies(), time.perf_counter()
                page.goto(f"{url}/{path}", timeout=120_000, wait_until="commit")
                seen, complete = watch(page, start, args.timeout, title, proc.pid)
                visits.append(Visit(name, seen, complete, cpu_seconds(proc.pid) - cpu0,
                                    bool(page.locator('[data-testid="stException"]').count()),
                                    steal_share(jiffies0, cpu_jiffies())))
                print(visits[-1], flush=True)
                if args.pages is None:
                    report(visits, head, load, warm_s, None, args.timeout)
            if args.pages is None:
                report(visits, head, load, warm_s, rss_mib(proc.pid), args.timeout)
            browser.close()


if __name__ == "__main__":
    main()
