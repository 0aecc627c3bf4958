"""Hostile visitor: the costliest and the crafted links against one server in hosted mode.

Starts `streamlit run` on 127.0.0.1 with PLAYGROUND_HOSTED=1, opens each link below in its own
headless Chromium session (one after the other), and records the server process's CPU-seconds
(user + system, from /proc) and resident memory after each link and at its peak (VmHWM), whether
the page showed an exception, whether a link or an image pointing at the attacker's host was
rendered, and whether a WebSocket from a foreign Host header is accepted. Writes
docs/bench/hostile.md with the machine and its load average.

Run by hand, on an idle machine: `python -m bench.hostile` (bounded: --timeout seconds per
link, --budget seconds in all).
Traffic goes to 127.0.0.1 only; 127.0.0.1:9 (the "attacker") is a closed port.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from bench.machine import describe, write_section  # noqa: E402
from playground.scenario import inert_line  # noqa: E402
from bench.server import BENIGN, CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EVIL = "http://127.0.0.1:9"
ANN = "retrieval_ann?source=Synthetic+overlapping+clusters&n=1000000&d=128&kind=HNSW&M=64&efc=200"
LINKS = [  # (what it tries, path and query)
    ("1M × 128 HNSW, M 64, efC 200", ANN),
    ("the same, seed 1", ANN + "&seed=1"),
    ("the same, seed 2", ANN + "&seed=2"),
    ("the same, seed 3", ANN + "&seed=3"),
    ("RAG evaluation, rerank over all 167 queries", "rag_evaluation?method=rerank&n=167"),
    ("the same, seed 1", "rag_evaluation?method=rerank&n=167&seed=1"),
    ("CLIP training, 10 epochs, dim 128, batch 8", "multimodal_clip?epochs=10&dim=128&batch=8"),
    ("a server path from a link", "multimodal_clip?clip_path=/etc"),
    ("a Markdown link in a refused value", f"online_serving?seed=[Log+in+again]({EVIL}/p)"),
    ("a Markdown image in a refused value", f"online_serving?budget=![t]({EVIL}/pixel.png)"),
    ("HTML in a chart title", f"multimodal_clip?template=<a+href%3D%22{EVIL}/%22>{{}}</a>"),
    ("a 400-digit SRM count", "ab_testing?srm_counts=" + "9" * 400 + ",1"),
]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (s), from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mib(pid: int) -> tuple[float, float]:
    """(resident now, peak resident VmHWM) of a process, MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values["VmRSS"], values["VmHWM"]


def foreign_host_websocket(url: str, host: str) -> int:
    """HTTP status of a WebSocket handshake to Streamlit's stream with ``Host: host`` (101: accepted)."""
    address, port = url.removeprefix("http://").split(":")
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               f"Origin: http://{host}\r\n\r\n")
    with socket.create_connection((address, int(port)), timeout=10) as sock:
        sock.sendall(request.encode())
        return int(sock.recv(1024).split(b" ", 2)[1])


async def visit(browser, url: str, path: str, timeout_s: float) -> dict:
    """Open one link in a fresh session; what the visitor saw."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not any(b in m.text for b in BENIGN) else None)
    seen = {"outcome": "rendered"}
    try:
        await page.goto(f"{url}/{path}", timeout=timeout_s * 1000)
        await page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout_s * 1000)
        await page.wait_for_selector(IDLE, timeout=timeout_s * 1000)
        if await page.locator('[data-testid="stException"]').count():
            seen["outcome"] = "exception box"
        seen["evil"] = (await page.locator(f'a[href^="{EVIL}"]').count()
                        + await page.locator(f'img[src^="{EVIL}"]').count()
                        + await page.locator(f'.js-plotly-plot a[href^="{EVIL}"]').count())
        notices = await page.locator('[data-testid="stAlert"]').all_inner_texts()
        seen["notice"] = next((n for n in notices if "link parameters" in n or "digit" in n), "")
        seen["caps"] = next((c for c in await page.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
                             if "Hosted server" in c), "")
    except Exception as exc:  # noqa: BLE001 - a time-out is a result
        seen["outcome"] = f"{type(exc).__name__} after {timeout_s:.0f} s"
    finally:
        await context.close()
    seen["console errors"] = len(errors)
    return seen


async def run(url: str, pid: int, timeout_s: float, links, budget_s: float) -> list[dict]:
    from playwright.async_api import async_playwright

    rows = []
    began = time.perf_counter()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for what, path in links:
            if time.perf_counter() - began > budget_s:
                rows.append({"what": what, "path": path, "outcome": f"not run (over the {budget_s:.0f} s budget)"})
                continue
            cpu0, start = cpu_seconds(pid), time.perf_counter()
            seen = await visit(browser, url, path, timeout_s)
            rss, peak = memory_mib(pid)
            rows.append({"what": what, "path": path, "wall": time.perf_counter() - start,
                         "cpu": cpu_seconds(pid) - cpu0, "rss": rss, "peak": peak, **seen})
            print(rows[-1], flush=True)
        await browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=420, help="seconds allowed per link")
    parser.add_argument("--max-load", type=float, default=1.5, help="refuse to start above this 1-min load")
    parser.add_argument("--budget", type=float, default=1800, help="seconds for the whole run; later links are skipped")
    parser.add_argument("--only", default="", help="comma-separated link numbers (0-based) for a smoke run")
    args = parser.parse_args()
    load_before = os.getloadavg()
    rag_note = ("is read from the on-disk cache .cache/rag" if any((ROOT / ".cache" / "rag").glob("index-*"))
                else "is built by the first lesson-11 link")
    if load_before[0] > args.max_load:
        sys.exit(f"load average {load_before[0]:.2f} > {args.max_load}: the numbers would measure the neighbours")

    with streamlit_server(env={"PLAYGROUND_HOSTED": "1"}) as (url, proc):
        idle_cpu, (idle_rss, _) = cpu_seconds(proc.pid), memory_mib(proc.pid)
        ws = {host: foreign_host_websocket(url, host) for host in ("127.0.0.1", "attacker.example")}
        links = [LINKS[int(i)] for i in args.only.split(",")] if args.only else LINKS
        rows = asyncio.run(run(url, proc.pid, args.timeout, links, args.budget))
        total_cpu, (_, peak) = cpu_seconds(proc.pid) - idle_cpu, memory_mib(proc.pid)
    load_after = os.getloadavg()

    def cell(text: str) -> str:  # what the page showed, inert in the report too
        return inert_line(str(text)[:160])

    lines = [
        "## Hostile visitor in hosted mode (bench/hostile.py)",
        "",
        f"Machine: {describe()}. Load average (1/5/15 min) before {'/'.join(f'{x:.2f}' for x in load_before)}, "
        f"after {'/'.join(f'{x:.2f}' for x in load_after)}: the machine is shared, so CPU-seconds (the "
        "server's own user + system time) are the measure, wall times only indicative.",
        "",
        f"One `streamlit run` server on 127.0.0.1 with `PLAYGROUND_HOSTED=1`, started cold (no warm "
        f"in-memory caches; the RAG index {rag_note}). Each link opened in a fresh "
        f"headless Chromium session, one after the other, {args.timeout:.0f} s allowed each. Server idle: "
        f"{idle_rss:.0f} MiB.",
        "",
        "| link tries | server CPU-s | wall s | RSS after (MiB) | outcome | attacker link/image rendered | notice shown |",
        "|---|---|---|---|---|---|---|",
    ]
    def num(row: dict, key: str, digits: int) -> str:
        return f"{row[key]:.{digits}f}" if key in row else "-"

    lines += [f"| {cell(r['what'])} | {num(r, 'cpu', 1)} | {num(r, 'wall', 1)} | {num(r, 'rss', 0)} "
              f"| {cell(r['outcome'])} | {r.get('evil', '-')} | {cell(r.get('notice', ''))} |" for r in rows]
    caps = next((r["caps"] for r in rows if r.get("caps")), "")
    lines += [
        "",
        f"Total server CPU over all links: {total_cpu:.0f} s; peak resident memory (VmHWM): {peak:.0f} MiB.",
        f"Caps the pages stated: {cell(caps) or '(none seen)'}",
        "",
        f"WebSocket handshake to `/_stcore/stream`: Host `127.0.0.1` → HTTP {ws['127.0.0.1']}, "
        f"Host `attacker.example` → HTTP {ws['attacker.example']} (101 = accepted; `server.allowedHosts`).",
        "",
        "Without hosted mode (issue 17, same machine class) the first link alone ran past 525 CPU-s "
        "and 2.4 GB, and `n=167` with rerank cost 136 CPU-s. The page cache (app/components/cache.py: "
        "bounded by PLAYGROUND_CACHE_MB, one costly build at a time) runs at its default bound here.",
    ]
    if args.only:  # a smoke run is printed, never written as the report
        print("\n".join(lines))
    else:
        write_section("hostile", lines)


if __name__ == "__main__":
    main()
