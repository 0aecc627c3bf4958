"""Load test for a hosted study-group demo: N concurrent browser sessions on one server.

Starts `streamlit run` on loopback, opens N headless Chromium sessions at once (one browser
context each, so each is its own Streamlit session), each visiting several lesson pages in turn,
and reports errors (exception boxes, unexpected console errors, time-outs), p50/p95 page render
time and the server's peak resident memory. Writes docs/bench/load.md.

Run by hand: `python -m bench.load --sessions 20`. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from bench.machine import describe, write_section  # noqa: E402
from bench.pages import registered  # noqa: E402
from bench.server import BENIGN, CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (MiB), from /proc."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


async def session(browser, url: str, paths: list[str], times: list[float], errors: list[str]) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not any(b in m.text for b in BENIGN) else None)
    try:
        for path in paths:
            start = time.perf_counter()
            try:
                await page.goto(f"{url}/{path}", timeout=300_000)
                await page.wait_for_selector('[data-testid="stMain"] h1', timeout=300_000)
                await page.wait_for_selector(IDLE, timeout=300_000)
                times.append(time.perf_counter() - start)
                if await page.locator('[data-testid="stException"]').count():
                    errors.append(f"exception box on {path}")
            except Exception as exc:  # noqa: BLE001 - a time-out is a reported error
                errors.append(f"{path}: {type(exc).__name__}")
    finally:
        await context.close()


async def run(url: str, sessions: int, paths: list[str]) -> tuple[list[float], list[str], float]:
    from playwright.async_api import async_playwright

    times: list[float] = []
    errors: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        start = time.perf_counter()
        await asyncio.gather(*(session(browser, url, paths[i % len(paths):] + paths[:i % len(paths)],
                                       times, errors) for i in range(sessions)))
        wall = time.perf_counter() - start
        await browser.close()
    return times, errors, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--pages", type=int, default=5, help="pages each session visits")
    args = parser.parse_args()
    lessons = registered()
    step = max(1, len(lessons) // args.pages)
    paths = [lesson.slug[3:] for lesson in lessons[::step]][: args.pages]

    with streamlit_server() as (url, proc):
        peak = [rss_mib(proc.pid)]
        idle_mib = peak[0]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak.append(rss_mib(proc.pid))
                time.sleep(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # Warm the shared caches once (models, indexes), as a host would before the session.
        asyncio.run(run(url, 1, paths))
        warm_mib = max(peak)
        times, errors, wall = asyncio.run(run(url, args.sessions, paths))
        stop.set()
        sampler.join()

    t = np.array(times) if times else np.array([np.nan])
    lines = [
        "## Hosted demo load test (bench/load.py)",
        "",
        f"Machine: {describe()}. One `streamlit run` server on 127.0.0.1, caches warmed by one "
        f"session first, then {args.sessions} concurrent headless Chromium sessions, each visiting "
        f"{len(paths)} pages ({', '.join(paths)}).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| sessions × pages | {args.sessions} × {len(paths)} = {args.sessions * len(paths)} page loads |",
        f"| errors | {len(errors)} |",
        f"| page render time p50 | {np.nanpercentile(t, 50):.1f} s |",
        f"| page render time p95 | {np.nanpercentile(t, 95):.1f} s |",
        f"| wall time for all sessions | {wall:.0f} s |",
        f"| server memory idle / after warm-up / peak | {idle_mib:.0f} / {warm_mib:.0f} / {max(peak):.0f} MiB |",
        "",
    ]
    if errors:
        lines += ["Errors:", ""] + [f"- {e}" for e in errors[:20]] + [""]
    lines += [
        f"The {args.sessions} headless Chromium clients run on the same cores as the server (only "
        "loopback traffic is allowed here), so render times measure a machine saturated by its own "
        "clients, not the server alone. Memory is the server's: models, indexes and data are built "
        "once per process and shared by every session.",
    ]
    write_section("load", lines)


if __name__ == "__main__":
    main()
