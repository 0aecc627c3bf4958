"""Scenarios of lesson 3's page (Retrieval: two-tower + ANN, app/lessons/03_retrieval_ann.py): preset values for the
controls that page declares. The page passes them to ``LessonPage``; tests read them here."""

from playground.recsys.ann import IndexKind
from playground.scenario import Preset

PRESETS: tuple[Preset, ...] = (
    Preset("production", "Production: HNSW + logQ",
           "Two-tower trained with logQ correction; HNSW at efSearch 64 keeps recall@10 above 0.95 "
           "at many times the exact-search QPS.",
           {"logq": True, "kind": IndexKind.HNSW, "ef_search": 64, "M": 16, "efc": 40, "k": 10,
            "dtype": "PQ", "replicas": 3}),
    Preset("naive", "Naive: brute force, no logQ",
           "In-batch negatives without logQ correction and an exact scan of every vector: correct "
           "neighbours, but the throughput and the 1B-item memory do not scale.",
           {"logq": False, "kind": IndexKind.FLAT, "k": 10, "dtype": "fp32", "replicas": 1}),
    Preset("underprobed", "IVF with nprobe = 1",
           "Visiting one IVF cell per query is fast but loses most true neighbours that sit in "
           "the overlapping cells next door.",
           {"kind": IndexKind.IVF_FLAT, "nlist": 128, "nprobe": 1, "k": 10}),
    Preset("coarse_pq", "IVF-PQ compressed too hard",
           "Four 8-bit codes per vector (4 bytes) store a billion items in a few GB, but recall "
           "saturates well below 1 whatever nprobe is.",
           {"kind": IndexKind.IVF_PQ, "pq_m": 4, "nbits": 8, "nprobe": 64, "k": 10}),
)
