"""Regenerate data/samples/rag/passage_embeddings.npz: the corpus's MiniLM sentence vectors
(float16), keyed by the passages' content and the packaged model's files.

    python scripts/build_rag_embeddings.py           # rewrite the shipped file
    python scripts/build_rag_embeddings.py --check   # exit 1 if the shipped file is stale
    python scripts/build_rag_embeddings.py --eval    # only the labelled queries' vectors and the
                                                     # default views of lessons 10 and 11
                                                     # (query_vectors.npz, eval_vectors.npz,
                                                     # grounded_vectors.npz; MiniLM, ~30 s)
    python scripts/build_rag_embeddings.py --maxsim  # only the labelled queries' MaxSim scores
                                                     # (maxsim_labelled.npz; every passage's token
                                                     # vectors: minutes unless warmed)

Deterministic for a given model and passages file; the app checks the key on load and embeds the
corpus itself (caching the result in .cache/rag) when it does not match. Rerun --eval when the
model package, the corpus, the queries or lesson 11's defaults change, and --maxsim when the model
package, the corpus or the queries change.
"""

from __future__ import annotations

import argparse
import sys

from playground import embeddings
from playground.rag import corpus as rc
from playground.rag import eval_run
from playground.rag import index_store as ix
from playground.rag import shipped_batches
from playground.rag import shipped_maxsim as sm


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the shipped file matches")
    parser.add_argument("--eval", action="store_true", help="write only the labelled queries' vectors and lessons 10 and 11's default views")
    parser.add_argument("--maxsim", action="store_true", help="write only the labelled queries' MaxSim scores")
    args = parser.parse_args()
    if args.maxsim:
        embeddings.offline()
        index = ix.build_index()
        n = sm.write(sm.SHIPPED, index, [q.text for q in rc.load_queries()], ix.corpus_key(index.passages),
                     progress=lambda f, text: print(f"\r{text}", end="", flush=True))
        print(f"\nwrote {n:,} scores to {sm.SHIPPED} ({sm.SHIPPED.stat().st_size:,} bytes)")
        return 0
    if args.eval:
        embeddings.offline()
        queries, texts = eval_run.write_shipped()
        for path, n in ((ix.SHIPPED_QUERIES, queries), (eval_run.SHIPPED_EVAL, texts)):
            print(f"wrote {n} text vectors to {path} ({path.stat().st_size:,} bytes)")
        n = shipped_batches.write(shipped_batches.SHIPPED, shipped_batches.default_batches(ix.get_index()))
        print(f"wrote {n} encoder calls to {shipped_batches.SHIPPED} ({shipped_batches.SHIPPED.stat().st_size:,} bytes)")
        return 0
    passages = rc.load_passages()
    if args.check:
        fresh = ix.shipped_vectors(passages) is not None
        print("the shipped passage embeddings match the corpus and the model" if fresh
              else f"{ix.SHIPPED} is missing or stale: run python scripts/build_rag_embeddings.py")
        return 0 if fresh else 1
    ix.write_shipped(passages, ix.SHIPPED, progress=lambda f, text: print(f"\r{text}", end="", flush=True))
    print(f"\nwrote {ix.SHIPPED} ({ix.SHIPPED.stat().st_size / 2**20:.1f} MiB, {len(passages):,} passages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
