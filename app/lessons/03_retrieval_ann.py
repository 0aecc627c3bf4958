"""Lesson 3: retrieval with a two-tower model (logQ on/off) and ANN indexes (FAISS), plus sizing.
Each tab's layout and cached builds live in its own component: ``components.ann_two_tower``,
``components.ann_index`` and ``components.ann_sizing``."""

import streamlit as st

from components import ann_index, ann_sizing, ann_two_tower
from components.page import LessonPage
from playground.recsys import ann
from scenarios.l03 import PRESETS

SIZES = [10_000, 30_000, 100_000, 300_000, 1_000_000]
SOURCES = ["Synthetic overlapping clusters", "Two-tower item vectors"]
POW2 = [2 ** i for i in range(11)]

page = LessonPage("l03", presets=PRESETS)
seed = page.seed()
k = page.number("k", "k (recall@k)", 1, 1000, 10, step=1,
                help="Neighbours / recommendations per query. Cannot exceed the collection size.")

with page.advanced_controls():
    page.advanced().markdown("**Two-tower model**")
    zipf = page.slider("zipf", "Popularity skew (Zipf exponent)", 0.0, 1.5, 1.0, step=0.1)
    dim = page.select_slider("dim", "Embedding dimension d", [8, 16, 32, 64], 32)
    epochs = page.slider("epochs", "Training epochs", 1, 12, 8)
    batch = page.select_slider("batch", "Batch size (in-batch negatives per row − 1)", [128, 256, 512, 1024], 512)
    tau = page.select_slider("tau", "Softmax temperature τ", [0.05, 0.1, 0.2, 0.3, 0.5, 1.0], 0.1)
    negatives = page.select("negatives", "Negatives", ["in-batch", "mixed"], help="mixed: in-batch plus as many "
                            "items drawn uniformly from the catalogue (mixed negative sampling); logQ uses the mixture's q.")
    cfg = dict(dim=dim, epochs=epochs, batch_size=batch, temperature=tau,
               random_negatives=batch if negatives == "mixed" else 0)
logq = page.toggle("logq", "logQ correction (production)", False,
                   help="Which model's vectors the index and the popularity chart use; both are trained.")

with page.advanced_controls():
    page.advanced().markdown("**Collection to index**")
    source = page.select("source", "Vectors", SOURCES)
    n_syn = page.select_slider("n", "Collection size N (synthetic)", SIZES, 30_000,
                               format_func=lambda v: f"{v:,}")
    d_syn = page.select_slider("d", "Dimension (synthetic)", [32, 64, 128], 64)

st.sidebar.markdown("**Index**")
kind = page.select("kind", "Index shown in detail", list(ann.KINDS), ann.IndexKind.IVF_FLAT, format_func=ann.KIND_LABELS.get)
nlist = page.select_slider("nlist", "IVF nlist (cells)", [16, 64, 128, 256, 1024, 4096], 128)
nprobe = page.select_slider("nprobe", "IVF nprobe (cells visited)", POW2, 8)
with page.advanced_controls():  # build parameters; the presets flip efSearch and PQ m, shown below
    M = page.select_slider("M", "HNSW M (links per node)", [4, 8, 16, 32, 64], 16)
    efc = page.select_slider("efc", "HNSW efConstruction", [16, 40, 80, 200], 40)
ef_search = page.select_slider("ef_search", "HNSW efSearch", POW2, 32)
pq_m = page.select_slider("pq_m", "PQ m (sub-quantizers)", [1, 2, 4, 8, 12, 16, 32, 64], 16)
with page.advanced_controls():
    nbits = page.select_slider("nbits", "PQ nbits per code", [4, 6, 8], 8)

tab_tt, tab_ann, tab_size = page.tabs("view", ["1 · Two-tower training", "2 · ANN index", "3 · Sizing the store"])
evals = ann_two_tower.show(page, tab_tt, seed, zipf, cfg, negatives, logq, k)
coll_key = ("syn", seed, n_syn, d_syn) if source == SOURCES[0] else ("tt", seed, zipf, cfg, logq)
shown = ann_index.show(page, tab_ann, coll_key, k, ann.IndexSpec(kind, nlist, nprobe, M, efc, ef_search, pq_m, nbits),
                       logq)
sizing = ann_sizing.show(page, tab_size, shown.exact, shown.n, shown.d, M)

page.math(ann_two_tower.formulas(batch, cfg["random_negatives"], k, evals) + ann_index.formulas(shown, k)
          + ann_sizing.formulas(sizing), notes=(
    "In-batch negatives sample item $j$ as a negative with probability $q_j$ (its popularity); subtracting "
    "$\\log q_j$ makes the sampled softmax estimate the full softmax, so the score ranks by $p(j\\mid u)$ "
    "rather than $p(j\\mid u)/q_j$. ANN recall is measured against exact search over the same vectors."))
page.board({"ann_index": ["Recall@k vs exact", "QPS (batch)", "Index memory", "One replica", "Machines"],
            "two_tower": ["Recall@k, logQ (production)", "Recall@k, no logQ (naive)"],
            "two_tower>ann_index": f"item vectors into {kind}"})
page.finish()
