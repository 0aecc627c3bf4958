"""Regenerate data/samples/rag/passage_embeddings.npz: the corpus's MiniLM sentence vectors
(float16), keyed by the passages' content and the packaged model's files.

    python scripts/build_rag_embeddings.py           # rewrite the shipped file
    python scripts/build_rag_embeddings.py --check   # exit 1 if the shipped file is stale

Deterministic for a given model and passages file; the app checks the key on load and embeds the
corpus itself (caching the result in .cache/rag) when it does not match.
"""

from __future__ import annotations

import argparse
import sys

from playground.rag import corpus as rc
from playground.rag import index_store as ix


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the shipped file matches")
    args = parser.parse_args()
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
