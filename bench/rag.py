"""RAG benchmark (lessons 8-9): corpus embedding time, index build times, per-method query latency,
retrieval quality per method and query type, and page rerun times. Writes docs/bench/rag.md.

Run by hand:  python -m bench.rag [--sample 512]
The full corpus embedding is timed on a sample of passages (a full re-embed takes minutes on 2
shared cores) and extrapolated; the wall time of the last full build is read from the cache if the
cache was built in this run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "app"), str(ROOT / "tests")]

from bench.machine import describe, write_section  # noqa: E402

from playground import embeddings  # noqa: E402
from playground.rag import corpus as rc  # noqa: E402
from playground.rag import index_store as ix  # noqa: E402
from playground.rag import retrieval_eval as rev  # noqa: E402
from playground.rag import retrievers as rv  # noqa: E402
from playground.rag import rerank as rr  # noqa: E402

embeddings.offline()


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=512, help="passages embedded for the timing")
    args = parser.parse_args()
    passages = rc.load_passages()
    queries = rc.load_queries()
    lines = ["## RAG retrieval (lessons 8–9)", "", f"Machine: {describe()}. Load average at start: "
             f"{os.getloadavg()[0]:.1f} (the 2 cores were shared with other jobs).", ""]

    rng = np.random.default_rng(0)
    sample = [passages[i] for i in rng.choice(len(passages), size=min(args.sample, len(passages)), replace=False)]
    rr.token_embeddings(["warm up"])
    _, t_sent = timed(ix.sentence_vectors, sample)
    store = ix.TokenStore([p.indexed_text for p in sample])
    _, t_tok = timed(store.ensure, range(len(sample)))
    lines += ["### Corpus embedding (MiniLM)", "",
              f"- Sentence vectors: {len(sample)} random passages in {t_sent:.1f} s = "
              f"**{len(sample) / t_sent:.0f} passages/s**; the full corpus of {len(passages):,} passages "
              f"extrapolates to **{len(passages) * t_sent / len(sample):.0f} s**. They ship in "
              f"`data/samples/rag/passage_embeddings.npz` (float16), so a fresh clone does not pay this.",
              f"- Token vectors for the reranker (computed on demand, per reranked passage): "
              f"{len(sample) / t_tok:.0f} passages/s.", ""]

    index, t_load = timed(ix.build_index)
    lines += ["### Index build", "",
              f"- Sentence vectors ({index.source}) + BM25 + FAISS: {t_load:.2f} s (vectors "
              f"{index.timings['sentences']:.3f} s, rank-bm25 fit {index.timings['bm25_build']:.2f} s, "
              f"FAISS IndexFlatIP add {index.timings['faiss_build'] * 1e3:.1f} ms).",
              f"- Token vectors ready without computing: {index.tokens.ready:,} of {len(index.tokens):,} "
              "passages (all after `python -m playground.warm`).", ""]

    texts = [q.text for q in queries]
    _, t_q = timed(index.encode_queries, texts)
    lines += [f"- Encoding the {len(texts)} labelled queries (batch): {t_q:.2f} s "
              f"({len(texts) / t_q:.0f} queries/s).", ""]
    fresh = [f"{t} please" for t in texts[:40]]
    one = []
    for text in fresh:
        _, t = timed(index.encode_queries, [text])
        one.append(t)
    lines += [f"- Encoding one new query (no batch): median {np.median(one) * 1e3:.0f} ms, "
              f"p95 {np.percentile(one, 95) * 1e3:.0f} ms.", ""]

    from threadpoolctl import threadpool_limits

    lines += ["### Query latency per method (query embedding cached; single queries)", "",
              "| method | median ms | p95 ms |", "|---|---|---|"]
    with threadpool_limits(limits=1):
        for m in rv.METHODS:
            times = []
            for text in texts:
                _, t = timed(index.search, m, text, 10)
                times.append(t * 1e3)
            lines.append(f"| {rv.METHOD_LABELS[m]} | {np.median(times):.2f} | {np.percentile(times, 95):.2f} |")
    lines.append("")

    lines += ["### Quality on the 167 labelled queries (default parameters)", "",
              "nDCG@10 / MRR@10 / recall@10; k1 = 1.2, b = 0.75, RRF k = 60, alpha = 0.5, MaxSim rerank "
              "of the weighted-fusion top 20.", "",
              "| method | all | rare entity | paraphrase | multi-hop | general |", "|---|---|---|---|---|---|"]
    for m in rv.METHODS:
        s = rev.summarise(rev.evaluate(index, queries, m))
        cells = [f"{s[g]['ndcg@10']:.3f} / {s[g]['mrr@10']:.3f} / {s[g]['recall@10']:.3f}"
                 for g in ("all", "rare_entity", "paraphrase", "multi_hop", "general")]
        lines.append(f"| {rv.METHOD_LABELS[m]} | " + " | ".join(cells) + " |")
    lines.append("")

    from app.apptest import open_page

    lines += ["### Page reruns (AppTest, same process, embeddings on disk)", "",
              "| page | first render | rerun, same settings | rerun, one slider moved |", "|---|---|---|---|"]
    for lesson, moved in (("l08", {"size": "120"}), ("l09", {"alpha": "0.7"})):
        _, first = timed(open_page, lesson)
        _, again = timed(open_page, lesson)
        _, move = timed(open_page, lesson, moved)
        lines.append(f"| {lesson} | {first:.1f} s | {again:.1f} s | {move:.1f} s ({', '.join(moved)}) |")
    lines.append("")
    write_section("rag", lines)


if __name__ == "__main__":
    main()
