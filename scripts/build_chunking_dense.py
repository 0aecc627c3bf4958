"""Regenerate data/samples/rag/chunking_dense.json: recall@k of BM25 and dense (MiniLM) retrieval
over re-chunkings of a seeded pool of the corpus, for lesson 8 (``playground.rag.chunk_dense``).

    python scripts/build_chunking_dense.py           # rewrite the shipped file (minutes: MiniLM)
    python scripts/build_chunking_dense.py --check   # exit 1 if the shipped file is stale

Deterministic for a given corpus, model and grid (all in the file's ``key``); embeddings go
through the disk cache of ``playground.embeddings.embed``, so a rerun costs nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from playground import embeddings
from playground.rag import chunk_dense as cd
from playground.rag import corpus as rc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the shipped file matches")
    args = parser.parse_args()
    documents, passages, queries = rc.load_documents(), rc.load_passages(), rc.load_queries()
    the_pool = cd.pool(documents, passages, queries)
    if args.check:
        fresh = cd.shipped_grid(passages, the_pool) is not None
        print("the shipped chunking grid matches the corpus and the model" if fresh
              else f"{cd.SHIPPED} is missing or stale: run python scripts/build_chunking_dense.py")
        return 0 if fresh else 1
    start = time.perf_counter()
    table = cd.grid(documents, passages, queries, the_pool,
                    progress=lambda f, text: print(f"\r{text} ({time.perf_counter() - start:,.0f} s)", end="", flush=True))
    table = {"key": cd.key(passages, the_pool), "model_sha256": embeddings.model_digest(),
             "corpus": rc.corpus_hash(), "seed": cd.SEED, "pool_words": cd.POOL_WORDS,
             "window_tokens": cd.WINDOW, **table}
    cd.SHIPPED.write_text(json.dumps(table, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"\nwrote {cd.SHIPPED} ({cd.SHIPPED.stat().st_size / 1024:.0f} KiB, {len(table['points'])} grid points, "
          f"{len(the_pool.doc_ids)} documents, {len(the_pool.query_ids)} queries) in {time.perf_counter() - start:,.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
