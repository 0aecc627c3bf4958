"""Capacity of a hosted demo, measured on the server: CPU-seconds and memory per page view and per
widget move for every page, the capacity table derived from them, and a load test through nginx
(sticky sessions, websockets) over two replicas that checks the table. Writes docs/bench/capacity.md.

    python -m playground.warm                 # once: the disk caches a server needs
    python -m bench.capacity                  # measure (about 5 min) and validate (about 4 min)
    python -m bench.capacity --skip-validate  # per-page costs and the table only

Costs are read from the server process (/proc/PID/stat: user + system time of all its threads;
/proc/PID/status: resident memory), never from the client's clock. Clients are raw websocket
sessions (bench/st_client.py) that decode no layout, so the load test spends the cores on the
servers, not on browsers. Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src"), str(ROOT / "app")]

from bench.machine import describe, write_section  # noqa: E402
from bench.st_client import Session  # noqa: E402
from bench.pages import fuzzed, registered  # noqa: E402
from bench.server import free_port, streamlit_server  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
THINK_S = 10.0          # a learner's think time between actions
TARGET_UTILISATION = 0.5  # a core kept half busy: an M/M/1 queue then waits about one service time
MOVE_SHARE = 0.8        # share of a learner's actions that move a widget (the rest open a page)
GROUPS = (20, 60, 200)
# raw clients run no refresh timers: a script run waits for its background builds instead
WAIT_FOR_BUILDS = {"PLAYGROUND_BACKGROUND_WAIT": "600"}
VALIDATION_PAGES = ("framework", "define_problem", "ab_testing", "rag_retrieval", "ad_ctr", "eta")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mib(pid: int) -> float:
    """Resident memory of a process (MiB), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def move_target(session: Session, lesson_id: str):
    """The first slider the generic fuzzer may move on this page, and two values to alternate."""
    for wid, (kind, proto) in session.widgets.items():
        key = wid.rsplit("-", 1)[-1]
        # a select_slider is a slider proto with options: its value is an option, not a number
        if kind == "slider" and not proto.options and fuzzed(lesson_id, key) and proto.max > proto.min:
            span = proto.max - proto.min
            values = [proto.min + span * 0.25, proto.min + span * 0.75]
            if proto.step:
                values = [proto.min + round((v - proto.min) / proto.step) * proto.step for v in values]
            return key, values
    return None


async def measure_pages(url: str, pid: int, lessons, views: int, moves: int) -> list[dict]:
    """Per page: cold first view (builds), warm views in new sessions, and slider moves."""
    rows = []
    for lesson in lessons:
        path = lesson.slug[3:]
        row = {"page": path, "lesson": lesson.id}
        before, t0 = cpu_seconds(pid), time.perf_counter()
        async with Session(url) as s:
            run = await s.open(path)
        row.update(cold_cpu=cpu_seconds(pid) - before, cold_wall=time.perf_counter() - t0,
                   errors=run.exceptions, rss_after=rss_mib(pid))
        costs = []
        for _ in range(views):
            before = cpu_seconds(pid)
            async with Session(url) as s:
                run = await s.open(path)
            costs.append(cpu_seconds(pid) - before)
            row["errors"] += run.exceptions
        row["view_cpu"] = statistics.median(costs)
        async with Session(url) as s:
            await s.open(path)
            target = move_target(s, lesson.id)
            if target is not None and moves:
                key, values = target
                for value in values:  # first visit of each value may build; not counted
                    await s.move_slider(key, value)
                costs = []
                for i in range(moves):
                    before = cpu_seconds(pid)
                    run = await s.move_slider(key, values[i % 2])
                    costs.append(cpu_seconds(pid) - before)
                    row["errors"] += run.exceptions
                row.update(move_cpu=statistics.median(costs), moved=key)
        rows.append(row)
        print(f"{path}: cold {row['cold_cpu']:.1f} CPU-s, view {row['view_cpu']:.3f}, "
              f"move {row.get('move_cpu', float('nan')):.3f} ({row.get('moved', '-')}), RSS {row['rss_after']:.0f} MiB")
    return rows


async def open_each(url: str, pages: list[str]) -> None:
    """Open every page once (builds what each needs)."""
    for page in pages:
        async with Session(url) as s:
            await s.open(page)


async def session_memory(url: str, pid: int, page: str, n: int = 20) -> float:
    """Resident memory one more open session costs (MiB), from ``n`` sessions held open at once."""
    before = rss_mib(pid)
    sessions = [Session(url) for _ in range(n)]
    for s in sessions:
        await s.__aenter__()
        await s.open(page)
    after = rss_mib(pid)
    for s in sessions:
        await s.__aexit__()
    return max(after - before, 0.0) / n


def action_cost(rows: list[dict]) -> float:
    """Mean server CPU-seconds of one learner action: a page view or a widget move (uniform over
    pages; pages without a slider count their page view for a move)."""
    views = [r["view_cpu"] for r in rows]
    moves = [r.get("move_cpu", r["view_cpu"]) for r in rows]
    return (1 - MOVE_SHARE) * statistics.mean(views) + MOVE_SHARE * statistics.mean(moves)


def capacity_table(rows: list[dict], base_mib: float, per_session_mib: float) -> tuple[float, list[str]]:
    cost = action_cost(rows)
    per_core = TARGET_UTILISATION * THINK_S / cost
    lines = [f"- Mean server CPU per learner action ({MOVE_SHARE:.0%} widget moves, "
             f"{1 - MOVE_SHARE:.0%} page views, pages weighted equally): **{cost * 1e3:.0f} ms**.",
             f"- Learners per core at a {THINK_S:.0f} s think time, the core kept {TARGET_UTILISATION:.0%} busy "
             f"(so a request waits about one service time in the queue): **{per_core:.0f}**.",
             f"- Memory: {base_mib:.0f} MiB per replica with every page's artefacts built, plus "
             f"{per_session_mib:.1f} MiB per open session.", "",
             "| learners | cores (= replicas, one per core) | memory |", "|---|---|---|"]
    for n in GROUPS:
        cores = max(1, math.ceil(n / per_core))
        memory = cores * base_mib + n * per_session_mib
        lines.append(f"| {n} | {cores} | {memory / 1024:.1f} GiB ({cores} × {base_mib:.0f} MiB + {n} sessions) |")
    return per_core, lines


def nginx_config(port: int, replicas: list[int], folder: Path) -> Path:
    """The shipped deploy/nginx.conf with this run's ports and a scratch folder for logs and pid."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    text = text.replace("listen 80;", f"listen 127.0.0.1:{port};")
    upstream = "".join(f"        server 127.0.0.1:{p};\n" for p in replicas)
    text = re.sub(r"(        server 127\.0\.0\.1:\d+;\n)+", upstream, text)
    text = text.replace("/run/nginx-playground.pid", str(folder / "nginx.pid"))
    text = text.replace("/var/log/nginx/", f"{folder}/")
    conf = folder / "nginx.conf"
    conf.write_text(text)
    return conf


@contextmanager
def nginx(conf: Path):
    proc = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(conf.parent), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    if proc.poll() is not None:
        raise RuntimeError(f"nginx did not start: {proc.stderr.read()}")
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def sticky_cookie(url: str) -> str:
    """The pg_sticky cookie nginx sets on a first request."""
    with urllib.request.urlopen(url + "/", timeout=30) as resp:
        for header in resp.headers.get_all("Set-Cookie") or []:
            if header.startswith("pg_sticky="):
                return header.split(";", 1)[0]
    raise RuntimeError("nginx set no pg_sticky cookie")


async def learner(url: str, pages: list[str], until: float, rng: random.Random, log: list) -> None:
    """One learner: opens a page, then every ~10 s (exponential think time) moves a slider or opens
    another page; each action is logged as (page, kind, seconds, exceptions)."""
    cookie = sticky_cookie(url)
    lesson_of = {lesson.slug[3:]: lesson.id for lesson in registered()}
    async with Session(url, cookie=cookie) as s:
        page = rng.choice(pages)
        run = await s.open(page)
        log.append((page, "view", run.seconds, run.exceptions))
        while time.time() < until:
            await asyncio.sleep(min(rng.expovariate(1 / THINK_S), max(until - time.time(), 0)))
            if time.time() >= until:
                break
            target = move_target(s, lesson_of[page])
            if rng.random() < MOVE_SHARE and target is not None:
                key, values = target
                run = await s.move_slider(key, rng.choice(values))
                log.append((page, "move", run.seconds, run.exceptions))
            else:
                page = rng.choice(pages)
                s.widgets = {}
                run = await s.open(page)
                log.append((page, "view", run.seconds, run.exceptions))


async def load(url: str, clients: int, seconds: float, pages: list[str], seed: int) -> list:
    log: list = []
    until = time.time() + seconds
    rngs = [random.Random(seed * 1000 + i) for i in range(clients)]
    await asyncio.gather(*(learner(url, pages, until, rngs[i], log) for i in range(clients)))
    return log


def validate(rows: list[dict], clients: int, seconds: float, seed: int, pages: list[str]) -> list[str]:
    """Two replicas behind nginx, ``clients`` raw learners for ``seconds``: measured server CPU
    against the CPU the per-page table predicts for the actions actually made."""
    lessons = {lesson.slug[3:]: lesson for lesson in registered()}
    by_page = {r["page"]: r for r in rows}
    pages = [p for p in pages if p in lessons and p in by_page]
    by_page = {r["page"]: r for r in rows}
    ports = [free_port(), free_port()]
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="capacity-")))
        servers = [stack.enter_context(streamlit_server(p, env=WAIT_FOR_BUILDS)) for p in ports]
        for url, _ in servers:  # each replica builds its artefacts once, as a warmed host would
            asyncio.run(open_each(url, pages))
        proxy_port = free_port()
        stack.enter_context(nginx(nginx_config(proxy_port, ports, folder)))
        proxy = f"http://127.0.0.1:{proxy_port}"
        pids = [proc.pid for _, proc in servers]
        cpu0, t0 = [cpu_seconds(p) for p in pids], time.perf_counter()
        log = asyncio.run(load(proxy, clients, seconds, pages, seed))
        wall = time.perf_counter() - t0
        used = [cpu_seconds(p) - c for p, c in zip(pids, cpu0)]
        peak = [rss_mib(p) for p in pids]
        access = (folder / "playground-access.log").read_text().splitlines()
    predicted = sum(by_page[p]["view_cpu"] if kind == "view" else by_page[p].get("move_cpu", by_page[p]["view_cpu"])
                    for p, kind, _, _ in log)
    upstream_of: dict[str, set] = {}
    for line in access:
        parts = line.split()
        if len(parts) > 2 and parts[2] != "-":
            upstream_of.setdefault(parts[1], set()).add(parts[2])
    split = sorted(len([c for c, ups in upstream_of.items() if f"127.0.0.1:{p}" in ups]) for p in ports)
    times = sorted(t for _, _, t, _ in log)
    errors = sum(e for _, _, _, e in log)
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))] if times else float("nan")  # noqa: E731
    return [
        f"nginx 1.22 (`deploy/nginx.conf`: `hash $pg_sticky consistent`, websocket upgrade) over 2 "
        f"replicas on 127.0.0.1; {clients} raw websocket learners for {wall:.0f} s, each acting every "
        f"~{THINK_S:.0f} s (exponential think time), {MOVE_SHARE:.0%} slider moves, pages: {', '.join(pages)}.", "",
        "| measure | value |", "|---|---|",
        f"| actions | {len(log)} ({sum(1 for _, k, _, _ in log if k == 'move')} moves) |",
        f"| errors (exception boxes) | {errors} |",
        f"| server CPU measured (both replicas) | {sum(used):.1f} CPU-s ({used[0]:.1f} + {used[1]:.1f}) |",
        f"| server CPU predicted from the per-page table | {predicted:.1f} CPU-s |",
        f"| measured / predicted | {sum(used) / predicted:.2f} |" if predicted else "| measured / predicted | - |",
        f"| utilisation of the 2 cores | {sum(used) / wall / 2:.0%} |",
        f"| response time p50 / p95 (client clock, for reference) | {p(0.5):.2f} s / {p(0.95):.2f} s |",
        f"| sticky: cookies seen on more than one replica | {sum(1 for ups in upstream_of.values() if len(ups) > 1)} of {len(upstream_of)} |",
        f"| learners per replica | {split[0]} / {split[1]} |",
        f"| replica memory at the end | {peak[0]:.0f} / {peak[1]:.0f} MiB |", ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=3, help="warm page views measured per page")
    parser.add_argument("--moves", type=int, default=6, help="slider moves measured per page")
    parser.add_argument("--clients", type=int, default=40, help="learners in the nginx load test")
    parser.add_argument("--seconds", type=float, default=150, help="length of the nginx load test")
    parser.add_argument("--skip-validate", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pages", default="", help="comma-separated url paths (default: every page)")
    args = parser.parse_args()
    if not shutil.which("nginx") and not args.skip_validate:
        raise SystemExit("nginx is not installed (apt-get install nginx), or pass --skip-validate")
    load_start = os.getloadavg()
    only = [p for p in args.pages.split(",") if p]
    lessons = [lesson for lesson in registered() if not only or lesson.slug[3:] in only]
    with streamlit_server(env=WAIT_FOR_BUILDS) as (url, proc):
        idle = rss_mib(proc.pid)
        rows = asyncio.run(measure_pages(url, proc.pid, lessons, args.views, args.moves))
        base = rss_mib(proc.pid)
        per_session = asyncio.run(session_memory(url, proc.pid, "define_problem"))
    per_core, table = capacity_table(rows, base, per_session)
    lines = ["## Capacity of a hosted demo (bench/capacity.py)", "",
             f"Machine: {describe()}. Load average at start: {load_start[0]:.1f} / {load_start[1]:.1f} / "
             f"{load_start[2]:.1f} (1 / 5 / 15 min). One replica on 127.0.0.1 after `python -m playground.warm`; "
             "CPU-seconds and memory read from the server process (/proc), raw websocket clients.", "",
             "### Per page", "",
             "Cold: the first view on a fresh server process (builds its models, indexes, tables). View: a "
             "new session opening the page once it is built (median of "
             f"{args.views}). Move: one slider moved in an open session, alternating between two values "
             f"already built (median of {args.moves}).", "",
             "| page | cold view CPU-s | page view CPU-ms | widget move CPU-ms (slider) | RSS after (MiB) | errors |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        move = f"{r['move_cpu'] * 1e3:.0f} ({r['moved']})" if "move_cpu" in r else "no slider"
        lines.append(f"| {r['page']} | {r['cold_cpu']:.1f} | {r['view_cpu'] * 1e3:.0f} | {move} | "
                     f"{r['rss_after']:.0f} | {r['errors']} |")
    lines += ["", f"Server memory: {idle:.0f} MiB at start, {base:.0f} MiB with every page built.", "",
              "### Capacity table", ""] + table + [""]
    if not args.skip_validate:
        lines += ["### Validation through nginx", ""] + validate(rows, args.clients, args.seconds, args.seed,
                                                                    only or list(VALIDATION_PAGES))
    write_section("capacity", lines)


if __name__ == "__main__":
    main()
