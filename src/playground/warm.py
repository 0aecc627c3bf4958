"""Warm-up for hosts: build every on-disk cache a server needs before learners arrive.

    python -m playground.warm            # everything (a few minutes of CPU on two cores)
    python -m playground.warm --list     # the steps, without running them

Each step is idempotent: what is already on disk (and passes its checks) loads instead of being
rebuilt, so a second run takes seconds. What it builds, under ``.cache/``:

- the RAG corpus's sentence vectors, only if the shipped ``data/samples/rag/passage_embeddings.npz``
  does not match the corpus or the installed model;
- the reranker's token vectors for every passage, memory-mapped afterwards (a visitor's reranked
  search reads them; the labelled queries' MaxSim scores ship in data/samples/rag/);
- the labelled queries' vectors (lessons 8-11), only if the shipped ``query_vectors.npz`` does not
  match the installed model;
- the lesson-15 caption vectors.

Models a page trains (lessons 3, 13, 14, 15...) live in the server process, not on disk: they
are trained on a page's first visit, in the background where that takes more than a few seconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Callable

Progress = Callable[[float, str], None]


def _passage_vectors(progress: Progress) -> str:
    from playground.rag import corpus as rc
    from playground.rag import index_store as ix

    _, source = ix.load_sentences(rc.load_passages(), progress=progress)
    return f"passage vectors: {source}"


def _reranker_tokens(progress: Progress) -> str:
    from playground.rag import index_store as ix

    store = ix.get_index().tokens
    before = store.ready
    if not store.complete(progress):
        return "reranker token vectors: the disk cannot be written (they stay computed on demand)"
    return f"reranker token vectors: {len(store) - before:,} passages computed, {len(store):,} on disk"


def _labelled_queries(progress: Progress) -> str:
    from playground.rag import corpus as rc
    from playground.rag import index_store as ix

    texts = [q.text for q in rc.load_queries()]
    shipped = ix.shipped_queries()
    source = "shipped vectors match the model" if shipped is not None and set(texts) <= set(shipped.rows) else "embedded"
    # lessons 8-10 (and the token vectors a rerank needs where no MaxSim scores ship)
    ix.get_index().encode_queries(texts, persist=True)
    progress(1.0, "labelled queries: query vectors")
    return f"labelled queries: {len(texts)} ({source})"


def _captions(progress: Progress) -> str:
    from playground.cases import clip_data, clip_model

    data = clip_data.load()
    source = "shipped vectors match the model" if clip_model.shipped_features() is not None else "embedded"
    for i, split in enumerate(("train", "test")):
        clip_model.caption_features(data.subset(split).captions, persist=True)
        progress((i + 1) / 2, f"lesson-15 captions: {split}")
    return f"lesson-15 captions: {len(data)} ({source})"


STEPS: list[tuple[str, Callable[[Progress], str]]] = [
    ("RAG passage vectors", _passage_vectors),
    ("Reranker token vectors", _reranker_tokens),
    ("Labelled query vectors", _labelled_queries),
    ("Lesson-15 caption vectors", _captions),
]


def run(steps=None, progress_factory: Callable[[str], Progress] | None = None) -> list[str]:
    """Run the warm-up steps in order; ``progress_factory(step_name)`` gives each step its
    ``progress(fraction, text)`` callback. Returns one summary line per step."""
    from playground import embeddings

    embeddings.offline()
    done = []
    for name, step in STEPS if steps is None else steps:
        report = progress_factory(name) if progress_factory else (lambda fraction, text: None)
        start = time.perf_counter()
        summary = step(report)
        report(1.0, summary)
        done.append(f"{summary} ({time.perf_counter() - start:.1f} s)")
    return done


def _tqdm_factory(name: str) -> Progress:
    from tqdm import tqdm

    bar = tqdm(total=1000, desc=name, unit="‰", bar_format="{desc}: {percentage:3.0f}%|{bar:30}| {postfix}")

    def progress(fraction: float, text: str) -> None:
        bar.n = int(min(max(fraction, 0.0), 1.0) * 1000)
        bar.set_postfix_str(text[:60], refresh=True)
        if bar.n >= 1000:
            bar.close()

    return progress


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print the steps and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(name for name, _ in STEPS))
        return 0
    start = time.perf_counter()
    lines = run(progress_factory=_tqdm_factory)
    print("\n".join(lines))
    print(f"warm-up done in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
