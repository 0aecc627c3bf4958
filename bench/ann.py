"""Lesson 3 benchmark: the ANN index Pareto on 1M vectors (Flat vs IVF vs HNSW vs IVF-PQ).

Measures recall@10 against an exact numpy brute-force search, batch QPS (all cores), single-query
latency (one thread), build time and index memory on 1M × 64 float32 vectors drawn from the
overlapping-cluster mixture the lesson page uses, and writes docs/bench/ann.md (rewritten after
every index so a partial run still leaves its numbers). Run by hand:

    python -m bench.ann            # 1M vectors, a few minutes on 2 idle cores
    python -m bench.ann --n 100000 # a quicker look
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import faiss
import numpy as np

from bench.machine import describe
from playground.recsys import ann
from playground.recsys.sizing import human_bytes

OUT = Path(__file__).resolve().parents[1] / "docs" / "bench" / "ann.md"
K = 10
TARGET_RECALL, TARGET_SPEEDUP = 0.95, 10.0


def configs(n: int) -> list[tuple[ann.IndexSpec, list[ann.IndexSpec]]]:
    """(build spec, search specs) for each index measured."""
    nlist = 1024 if n >= 500_000 else 256
    ivf = ann.IndexSpec(kind=ann.IndexKind.IVF_FLAT, nlist=nlist)
    hnsw = ann.IndexSpec(kind=ann.IndexKind.HNSW, M=32, ef_construction=80)
    pq = ann.IndexSpec(kind=ann.IndexKind.IVF_PQ, nlist=nlist, pq_m=16, nbits=8)
    probes = [p for p in (1, 2, 4, 8, 16, 32, 64, 128, 256) if p <= nlist]
    return [
        (ann.IndexSpec(kind=ann.IndexKind.FLAT), [ann.IndexSpec(kind=ann.IndexKind.FLAT)]),
        (ivf, [replace(ivf, nprobe=p) for p in probes]),
        (hnsw, [replace(hnsw, ef_search=e) for e in (8, 16, 32, 64, 128, 256, 512)]),
        (pq, [replace(pq, nprobe=p) for p in probes]),
    ]


def write(n: int, d: int, nq: int, rows: list[ann.Measurement], notes: list[str], done: bool) -> None:
    exact = next((m for m in rows if m.spec.kind == ann.IndexKind.FLAT), None)
    front = ann.pareto_front([m.recall for m in rows], [m.qps for m in rows]) if rows else []
    lines = [
        "## Lesson 3: ANN index Pareto on {:,} vectors".format(n), "",
        f"Machine: {describe()}. Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with "
        f"`python -m bench.ann{'' if n == 1_000_000 else f' --n {n}'} --threads {faiss.omp_get_max_threads()}`"
        f"{'' if done else ' (run still in progress when this was written)'}.", "",
        f"Data: {n:,} × {d} float32 vectors from the overlapping anisotropic Gaussian mixture of "
        f"`playground.recsys.ann.synthetic_vectors` (seed 0), {nq:,} queries from the same mixture. "
        f"Recall@{K} is against an exact numpy brute-force top-{K}. Builds and QPS (one batch of all "
        f"queries, best of 2; exact search: 1 run) with FAISS on {faiss.omp_get_max_threads()} "
        "thread(s); latency: queries sent one at a time on one thread. Memory: the serialized index. "
        "Timings are wall-clock on a machine shared with other jobs (load shown below), so they "
        "are a lower bound on what an idle machine does.", "",
        *[f"- {note}" for note in notes], "",
        f"| index | setting | recall@{K} | QPS (batch, wall) | × exact | QPS per CPU-s | × exact | p50 ms | p99 ms | build s | memory | Pareto |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for m, on_front in zip(rows, front):
        speed = f"{m.qps / exact.qps:.1f}" if exact else "?"
        cpu_speed = f"{m.cpu_qps / exact.cpu_qps:.1f}" if exact else "?"
        lines.append(f"| {m.spec.kind} | {m.label} | {m.recall:.3f} | {m.qps:,.0f} | {speed} | "
                     f"{m.cpu_qps:,.0f} | {cpu_speed} | "
                     f"{m.latency_ms_p50:.3f} | {m.latency_ms_p99:.3f} | {m.build_s:.1f} | "
                     f"{human_bytes(m.memory_bytes)} | {'yes' if on_front else ''} |")
    lines.append("")
    if exact:
        verdict = []
        for kind in (ann.IndexKind.IVF_FLAT, ann.IndexKind.HNSW, ann.IndexKind.IVF_PQ):
            best = ann.best_at_recall([m for m in rows if m.spec.kind == kind], TARGET_RECALL)
            if best is None:
                if any(m.spec.kind == kind for m in rows):
                    verdict.append(f"- {ann.KIND_LABELS[kind]}: no setting measured reaches recall@{K} ≥ {TARGET_RECALL}.")
                continue
            ok = best.qps / exact.qps >= TARGET_SPEEDUP
            cpu = max((m for m in rows if m.spec.kind == kind and m.recall >= TARGET_RECALL),
                      key=lambda m: m.cpu_qps)
            cpu_ok = cpu.cpu_qps / exact.cpu_qps >= TARGET_SPEEDUP
            verdict.append(f"- {ann.KIND_LABELS[kind]}: fastest setting with recall@{K} ≥ {TARGET_RECALL} is {best.label} "
                           f"(recall {best.recall:.3f}) at {best.qps:,.0f} QPS = {best.qps / exact.qps:.1f}× "
                           f"exact ({exact.qps:,.0f} QPS) by wall clock: target ≥ {TARGET_SPEEDUP:g}× "
                           f"{'met' if ok else 'not met'}. By CPU time: {cpu.label} (recall "
                           f"{cpu.recall:.3f}) at {cpu.cpu_qps / exact.cpu_qps:.1f}× exact: "
                           f"{'met' if cpu_ok else 'not met'}.")
        lines += [f"Target (issue 2): HNSW or IVF reaches recall@{K} ≥ {TARGET_RECALL} at ≥ "
                  f"{TARGET_SPEEDUP:g}× exact-search QPS.", "", *verdict, ""]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--d", type=int, default=64)
    parser.add_argument("--nq", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1,
                        help="FAISS threads for builds and batch search (default 1: on a CPU shared "
                             "with other jobs, OpenMP spin-waiting makes 2-thread timings erratic)")
    args = parser.parse_args()
    with ann.faiss_threads(args.threads):
        run(args)


def run(args) -> None:
    n, d, nq = args.n, args.d, args.nq
    notes = [f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"]
    t0 = time.perf_counter()
    xb = ann.synthetic_vectors(n, d, seed=0)
    xq = ann.synthetic_queries(nq, d, seed=0, n_clusters=ann.default_clusters(n))
    truth = ann.exact_topk(xb, xq, K)
    notes.append(f"data + numpy ground truth: {time.perf_counter() - t0:.1f} s")
    print(notes[-1], flush=True)
    rows: list[ann.Measurement] = []
    for build_spec, search_specs in configs(n):
        last = [0.0]

        def progress(f, msg, name=build_spec.label()):
            if f - last[0] >= 0.2 or f >= 1.0:
                last[0] = f
                print(f"  {name}: {msg}", flush=True)

        built = ann.build(build_spec, xb, seed=0, progress=progress)
        print(f"{build_spec.kind}: built in {built.build_s:.1f} s, {human_bytes(built.memory_bytes)}", flush=True)
        exact_kind = build_spec.kind == ann.IndexKind.FLAT
        for spec in search_specs:
            m = ann.measure(built, spec, xq, truth, K, n_single=20 if exact_kind else 100,
                            repeats=1 if exact_kind else 2)
            rows.append(m)
            print(f"  {m.label}: recall {m.recall:.3f}, {m.qps:,.0f} QPS, p50 {m.latency_ms_p50:.3f} ms", flush=True)
        del built
        notes_now = notes + [f"load average now: {os.getloadavg()[0]:.1f}"]
        write(n, d, nq, rows, notes_now, done=False)
    notes.append(f"load average at end: {os.getloadavg()[0]:.1f}; total {time.perf_counter() - t0:.0f} s")
    write(n, d, nq, rows, notes, done=True)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
