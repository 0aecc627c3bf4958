"""Lesson 3: retrieval with a two-tower model (logQ on/off) and ANN indexes (FAISS), plus sizing."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.background import background
from components.cache import cached
from components.page import LessonPage
from playground.recsys import ann
from playground.recsys import sizing as sz
from playground.recsys import two_tower as tt
from scenarios.l03 import PRESETS

SIZES = [10_000, 30_000, 100_000, 300_000, 1_000_000]
SWEEP_ALL_MAX = 100_000  # above this only exact search and the selected kind are built
SOURCES = ["Synthetic overlapping clusters", "Two-tower item vectors"]
POW2 = [2 ** i for i in range(11)]
FAISS_THREADS = 1  # one thread per session: predictable timings on a shared CPU (bench/ann.py uses all)
COLORS = dict(zip(ann.KINDS, ("#444444", "#1f77b4", "#2ca02c", "#d62728")))


@cached()
def interactions(seed: int, zipf: float) -> tt.Interactions:
    return tt.make_interactions(zipf=zipf, seed=seed)


@cached(lambda logq, features=False, **_: f"Training the two-tower model ({'with' if logq else 'without'} logQ"
        f"{', item tower with categories' if features else ''})")
def two_tower(seed: int, zipf: float, cfg: dict, logq: bool, features: bool = False, progress=None) -> tt.TrainResult:
    """``cfg``: dim, epochs, batch_size, temperature, random_negatives (see ``tt.train``)."""
    return tt.train(interactions(seed, zipf), logq=logq, features=features, seed=seed, progress=progress, **cfg)


@cached()
def recalls(seed: int, zipf: float, cfg: dict, k: int) -> dict:
    """Held-out recall@k of both models and of the popularity baseline."""
    data = interactions(seed, zipf)
    users = tt.eval_users(data, seed=seed)
    models = {lq: two_tower(seed, zipf, cfg, lq) for lq in (True, False)}
    return {
        "logQ (production)": tt.evaluate(tt.model_scores(models[True], users), data, users, k),
        "no logQ (naive)": tt.evaluate(tt.model_scores(models[False], users), data, users, k),
        "popularity baseline": tt.evaluate(tt.popularity_scores(data, users), data, users, k),
    }


@cached()
def cold_starts(seed: int, zipf: float, cfg: dict, k: int) -> dict:
    """How the ID-only and the content (ID + category) tower, both with logQ, rank the new items."""
    data = interactions(seed, zipf)
    return {name: tt.cold_start(two_tower(seed, zipf, cfg, True, features), data, k)
            for name, features in (("content tower (ID + category)", True), ("ID-only tower", False))}


@cached()
def popularity_profiles(seed: int, zipf: float, cfg: dict, logq: bool, k: int) -> tuple:
    """Share of the model's top-k, and of the held-out interactions, per item-popularity decile."""
    data = interactions(seed, zipf)
    users = tt.eval_users(data, seed=seed)
    top = tt.top_k(tt.model_scores(two_tower(seed, zipf, cfg, logq), users), data, users, k)
    return tt.popularity_profile(top, data), tt.popularity_profile(data.test_items, data)


@cached("Making the collection")
def collection(coll_key: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Base vectors and queries: synthetic clusters ("syn", seed, n, d) or the two-tower model's
    item and user vectors ("tt", seed, zipf, cfg, logq)."""
    if coll_key[0] == "syn":
        _, seed, n, d = coll_key
        nq = 300 if n <= SWEEP_ALL_MAX else 100
        return ann.synthetic_vectors(n, d, seed), ann.synthetic_queries(nq, d, seed, ann.default_clusters(n))
    _, seed, zipf, cfg, logq = coll_key
    model, n_users = two_tower(seed, zipf, cfg, logq), interactions(seed, zipf).n_users
    qs = np.random.default_rng(seed).choice(n_users, min(300, n_users), replace=False)
    return model.item_vectors, model.user_vectors[np.sort(qs)]


@cached(lambda n, _spec, **_: f"Building {ann.KIND_LABELS[_spec.kind]} over {n:,} vectors")
def built_index(coll_key: tuple, n: int, build_key: tuple, _spec: ann.IndexSpec, progress=None) -> ann.Built:
    """The index of ``_spec`` over the collection, keyed by the parameters that change the build."""
    return ann.build(_spec, collection(coll_key)[0], seed=coll_key[1], progress=progress, max_train=50_000)


@cached("Exact top-k by numpy brute force (the reference)")
def exact_neighbours(coll_key: tuple, k: int) -> np.ndarray:
    xb, xq = collection(coll_key)
    return ann.exact_topk(xb, xq, k)


@cached()
def measured(coll_key: tuple, k: int, spec: ann.IndexSpec) -> ann.Measurement:
    """Recall against exact search, QPS, latency and memory of one index setting."""
    xb, xq = collection(coll_key)
    return ann.measure(built_index(coll_key, len(xb), spec.build_key(), spec), spec, xq,
                       exact_neighbours(coll_key, k), k, n_single=25)


@cached()
def sweep(coll_key: tuple, k: int, spec: ann.IndexSpec, kinds: tuple, progress=None) -> tuple:
    """Exact top-k (the reference), every sweep setting measured against it, the exact index's
    measurement, and the settings left out (each index built and measured once, cached)."""
    xb, _ = collection(coll_key)
    n, d = xb.shape
    ann.validate(ann.IndexSpec(kind=ann.IndexKind.FLAT), n, d, k)
    truth = exact_neighbours(coll_key, k)
    specs, skipped = ann.valid_sweep(spec, kinds, n, d, k)
    measurements = []
    for i, s in enumerate(specs):
        with ann.faiss_threads(FAISS_THREADS):  # this thread's setting (a background build has its own)
            measurements.append(measured(coll_key, k, s))
        if progress:
            progress((i + 1) / len(specs), f"{ann.KIND_LABELS[s.kind]} measured ({i + 1} / {len(specs)} settings)")
    return truth, measurements, next(m for m in measurements if m.spec.kind == ann.IndexKind.FLAT), skipped


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
    mixed = page.select("negatives", "Negatives", ["in-batch", "mixed"], help="mixed: in-batch plus as many "
                        "items drawn uniformly from the catalogue (mixed negative sampling); logQ uses the mixture's q.") == "mixed"
    cfg = dict(dim=dim, epochs=epochs, batch_size=batch, temperature=tau, random_negatives=batch if mixed else 0)
logq = page.toggle("logq", "logQ correction (production)", True,
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
with page.advanced_controls():
    M = page.select_slider("M", "HNSW M (links per node)", [4, 8, 16, 32, 64], 16)
    efc = page.select_slider("efc", "HNSW efConstruction", [16, 40, 80, 200], 40)
    ef_search = page.select_slider("ef_search", "HNSW efSearch", POW2, 32)
    pq_m = page.select_slider("pq_m", "PQ m (sub-quantizers)", [1, 2, 4, 8, 12, 16, 32, 64], 16)
    nbits = page.select_slider("nbits", "PQ nbits per code", [4, 6, 8], 8)

tab_tt, tab_ann, tab_size = page.tabs("view", ["1 · Two-tower training", "2 · ANN index", "3 · Sizing the store"])

# ---- 1. the two-tower model -----------------------------------------------------------------
data = interactions(seed, zipf)
models = {lq: two_tower(seed, zipf, cfg, lq) for lq in (True, False)}
recall_tt = {}
with tab_tt:
    st.markdown(
        f"{data.n_users:,} users × {data.n_items:,} items, {len(data.train_users):,} training and "
        f"{len(data.test_users):,} held-out interactions; item popularity ∝ rank^−{zipf:g}. Both "
        f"models train on the same batches with {'mixed' if mixed else 'in-batch'} negatives; only the logQ term differs.")
    evals = page.guard(recalls, seed, zipf, cfg, k)
    if evals is not None:
        cols = st.columns(3)
        for col, (name, ev) in zip(cols, evals.items()):
            page.metric(f"Recall@k, {name}", f"{ev.recall:.3f}", f"recommends {ev.coverage:.0%} of the catalogue, "
                        f"{ev.head_share:.0%} from the top 10 %",
                        container=col, headline=name.startswith("logQ"), delta_color="off", delta_arrow="off",
                        help=f"Held-out items found in the top {k}; below: share of all items in anyone's top k.")
            recall_tt[name] = ev
        held_head = tt.heldout_head_share(data)
        fig = go.Figure()
        names = list(evals)
        fig.add_bar(x=names, y=[evals[n].recall for n in names], name=f"recall@{k}",
                    text=[f"{evals[n].recall:.3f}" for n in names], textposition="outside")
        fig.add_bar(x=names, y=[evals[n].head_share for n in names], name="share of top-k from the 10 % most popular items",
                    text=[f"{evals[n].head_share:.2f}" for n in names], textposition="outside")
        fig.add_bar(x=names, y=[evals[n].coverage for n in names], name="catalogue coverage", textposition="outside",
                    text=[f"{evals[n].coverage:.2f}" for n in names])
        fig.add_hline(y=held_head, line_dash="dot")
        fig.update_layout(barmode="group", title=f"Naive vs production on the same held-out interactions (k = {k})"
                          f"<br><sup>dotted: share of held-out interactions on the 10 % most popular items "
                          f"({held_head:.2f})</sup>",
                          yaxis_title="share", legend_orientation="h", height=420)
        page.chart(fig)
        page.record("Head share of held-out interactions", f"{held_head:.3f}")

        prof_rec, prof_held = popularity_profiles(seed, zipf, cfg, logq, k)
        fig2 = go.Figure()
        deciles = [f"{10 * i}–{10 * (i + 1)} %" for i in range(10)]
        fig2.add_bar(x=deciles, y=prof_held, name="held-out interactions (what users consume)")
        fig2.add_bar(x=deciles, y=prof_rec, name=f"top-{k} of the model {'with' if logq else 'without'} logQ")
        fig2.update_layout(barmode="group", height=360, legend_orientation="h",
                           title="Where recommendations fall by item popularity decile (most popular first)",
                           yaxis_title="share")
        page.chart(fig2)
        loss = go.Figure()
        for lq, res in models.items():
            loss.add_scatter(x=list(range(1, len(res.losses) + 1)), y=res.losses, mode="lines+markers",
                             name="logQ" if lq else "no logQ")
        loss.update_layout(height=280, title="Training loss (in-batch softmax)", xaxis_title="epoch",
                           yaxis_title="loss (the logQ loss is on shifted logits)")
        page.chart(loss, container=st.expander("Training loss per epoch"))
        if not logq:
            st.warning("Without logQ the softmax learns log p(item | user) − log q(item): popular items, "
                       "sampled as negatives far more often, are pushed down and the retriever "
                       "recommends the tail users rarely consume.")
        st.markdown(f"**Cold start:** {len(data.new_items)} items launched after training (no interaction). An ID-only "
                    "tower has no row for them; an item tower that also reads the item's category places them by it.")
        cold = page.guard(cold_starts, seed, zipf, cfg, k)
        for col, (name, cs) in zip(st.columns(2), (cold or {}).items()):
            page.metric(f"New item's median rank, {name}", f"{cs.median_rank:.0f} of {cs.candidates}",
                        f"in the top {k} for {cs.hit_rate:.0%} of its users", container=col, delta_color="off",
                        delta_arrow="off", help="Rank of each new item for each user the generator says would consume it.")

# ---- 2. ANN indexes --------------------------------------------------------------------------
coll_key = ("syn", seed, n_syn, d_syn) if source == SOURCES[0] else ("tt", seed, zipf, cfg, logq)
xb, xq = collection(coll_key)
n, d = xb.shape
spec, clamped = ann.clamp_nprobe(ann.IndexSpec(kind, nlist, nprobe, M, efc, ef_search, pq_m, nbits))  # nprobe ≤ nlist
sweep_kinds = list(ann.KINDS) if n <= SWEEP_ALL_MAX else list(dict.fromkeys([ann.IndexKind.FLAT, kind]))

chosen = exact = None
with ann.faiss_threads(FAISS_THREADS), tab_ann:
    st.markdown(
        f"**{n:,} vectors × {d} dims** ({'synthetic overlapping clusters' if coll_key[0] == 'syn' else 'item vectors of the two-tower model ' + ('with' if logq else 'without') + ' logQ'}), "
        f"{len(xq)} queries ({'fresh draws from the mixture' if coll_key[0] == 'syn' else 'user vectors'}). "
        "Recall@k is measured against an exact numpy brute-force search; QPS from one batch of "
        "all queries, latency from queries sent one at a time; FAISS runs on one thread here.")
    if clamped:
        st.caption(clamped)
    result = page.guard(
        background, sweep, coll_key, k, spec, tuple(sweep_kinds),
        label=f"Building and measuring every index setting over {n:,} vectors")
    truth, measurements, exact, skipped = result or (None, [], None, [])
    if exact is not None:
        if skipped:
            st.warning("Left out of the sweep (settings that cannot work on this collection): "
                       + "; ".join(sorted(set(skipped))))
        if n > SWEEP_ALL_MAX:
            st.info(f"At N = {n:,} only exact search and the selected index ({ann.KIND_LABELS[kind]}) are built, to keep "
                    "the page responsive; the full 1M-vector Pareto is in docs/bench/ann.md.")

    def measure_chosen():
        """The selected index measured against exact search."""
        ann.validate(spec, n, d, k)
        return measured(coll_key, k, spec)

    chosen = None if exact is None else page.guard(measure_chosen)

    if chosen is not None and exact is not None:
        left, right = st.columns(2)
        left.markdown("**Naive: exact brute-force scan**")
        right.markdown(f"**Production: {chosen.label}**")
        page.metric("Exact QPS (batch)", f"{exact.qps:,.0f}", container=left)
        page.metric("Exact p50 latency (1 query)", f"{exact.latency_ms_p50:.2f} ms", container=left)
        page.metric("Exact index memory", sz.human_bytes(exact.memory_bytes), container=left)
        page.metric("Recall@k vs exact", f"{chosen.recall:.3f}", container=right, headline=True)
        page.metric("QPS (batch)", f"{chosen.qps:,.0f}", delta=f"{chosen.qps / exact.qps:.1f}× exact",
                    container=right, headline=True)
        page.metric("p50 latency (1 query)", f"{chosen.latency_ms_p50:.3f} ms",
                    delta=f"p99 {chosen.latency_ms_p99:.3f} ms", delta_color="off", container=right)
        page.metric("Index memory", sz.human_bytes(chosen.memory_bytes),
                    delta=f"{chosen.memory_bytes / exact.memory_bytes:.2f}× exact", delta_color="inverse",
                    container=right)
        page.metric("Build time", f"{chosen.build_s:.2f} s", container=right)
        if chosen.recall < 0.9 and kind != ann.IndexKind.FLAT:
            st.warning(f"Recall@{k} is {chosen.recall:.2f}: {1 - chosen.recall:.0%} of the true "
                       "neighbours never reach the ranker. Raise nprobe / efSearch (or use a finer PQ) "
                       "and watch QPS fall on the Pareto plot.")

    if measurements:
        front = ann.pareto_front([m.recall for m in measurements], [m.qps for m in measurements])
        fig = go.Figure()
        for kd in sweep_kinds:
            if not (pts := [m for m in measurements if m.spec.kind == kd]):
                continue
            fig.add_scatter(
                x=[m.recall for m in pts], y=[m.qps for m in pts], mode="lines+markers", name=ann.KIND_LABELS[kd],
                line_color=COLORS[kd], marker_size=9,
                text=[f"{m.label}<br>p50 {m.latency_ms_p50:.3f} ms<br>memory {sz.human_bytes(m.memory_bytes)}"
                      f"<br>build {m.build_s:.2f} s" for m in pts],
                hovertemplate="%{text}<br>recall %{x:.3f}<br>%{y:,.0f} QPS<extra></extra>")
        fr = sorted((m for m, f in zip(measurements, front) if f), key=lambda m: m.recall)
        fig.add_scatter(x=[m.recall for m in fr], y=[m.qps for m in fr], mode="lines", name="Pareto front",
                        line=dict(color="orange", dash="dot", width=3), hoverinfo="skip")
        if chosen is not None:
            fig.add_scatter(x=[chosen.recall], y=[chosen.qps], mode="markers", name="selected",
                            marker=dict(symbol="star", size=20, color="gold", line=dict(color="black", width=1)))
        fig.update_layout(title=f"Recall@{k} vs queries per second ({n:,} × {d}; up and right is better)",
                          xaxis_title=f"recall@{k} vs exact", yaxis_title="QPS (batch, log scale)",
                          yaxis_type="log", height=480, legend_orientation="h")
        page.chart(fig)
        best = ann.best_at_recall([m for m in measurements if m.spec.kind != ann.IndexKind.FLAT], 0.95)
        if best is not None:
            page.metric("Fastest ANN at recall ≥ 0.95", f"{best.qps / exact.qps:.1f}× exact QPS",
                        delta=best.label, delta_color="off")
        else:
            st.info("No swept ANN setting reaches recall 0.95 here; raise efSearch/nprobe range or M.")
        mem = {}
        for m in measurements:
            mem[m.spec.build_key()] = m
        figm = go.Figure(go.Bar(x=[m.spec.kind + (f" ({m.spec.build_key()[1:]})" if len(m.spec.build_key()) > 1 else "")
                                   for m in mem.values()],
                                y=[m.memory_bytes / 1e6 for m in mem.values()],
                                marker_color=[COLORS[m.spec.kind] for m in mem.values()],
                                text=[f"{m.memory_bytes / 1e6:.1f} MB · built in {m.build_s:.1f} s" for m in mem.values()],
                                textposition="outside"))
        figm.update_layout(title="Index memory and build time", yaxis_title="MB", height=340)
        page.chart(figm)
        table = pd.DataFrame([{"setting": m.label, "recall@k": round(m.recall, 4), "QPS": round(m.qps),
                               "p50 ms": round(m.latency_ms_p50, 4), "p99 ms": round(m.latency_ms_p99, 4),
                               "memory MB": round(m.memory_bytes / 1e6, 2), "build s": round(m.build_s, 2),
                               "Pareto": bool(f)} for m, f in zip(measurements, front)])
        with st.expander("Every measured setting"):
            st.dataframe(table, hide_index=True)

# ---- 3. sizing -------------------------------------------------------------------------------
with tab_size:
    c1, c2, c3 = st.columns(3)
    sz_n = page.select_slider("sz_n", "Items N", [10 ** e for e in range(6, 11)], 10 ** 9, container=c1,
                              format_func=lambda v: f"{v:,}")
    sz_d = page.select_slider("sz_d", "Dimension d", [32, 64, 128, 256, 512, 768, 1024], 128, container=c1)
    dtype = page.select("dtype", "Stored as", list(sz.DTYPES), "fp32", container=c2)
    sz_m = page.select_slider("sz_m", "PQ bytes per vector (m, 8-bit codes)", [4, 8, 16, 32, 64], 16, container=c2)
    overhead = page.select("overhead", "Index structure", list(sz.OVERHEADS), "none", container=c2)
    replicas = page.slider("replicas", "Replicas", 1, 10, 2, container=c3)
    ram = page.select_slider("ram", "RAM per machine (GB)", [16, 32, 64, 128, 256, 512, 1024], 256, container=c3)
    usable = page.slider("usable", "Usable share of RAM", 0.3, 1.0, 0.7, step=0.05, container=c3)
    store = page.guard(sz.size_store, sz_n, sz_d, dtype, replicas, ram, usable, overhead, pq_m=sz_m, nbits=8, M=M)
    if store is not None:
        a, b, c = st.columns(3)
        page.metric("Bytes per item", f"{store.bytes_per_item:,.0f} B", container=a)
        page.metric("One replica", sz.human_bytes(store.replica_bytes), container=a, headline=True)
        page.metric("All replicas", sz.human_bytes(store.total_bytes), container=b)
        page.metric("Shards per replica", f"{store.shards:,}", container=b)
        page.metric("Machines", f"{store.machines:,}", container=c, headline=True)
        if exact is not None:
            flops = 2.0 * n * d * exact.qps
            scan = sz.scan_seconds(sz_n, sz_d, flops)
            page.metric("Exact scan per query at N", f"{scan:,.2f} s", container=c,
                        help=f"Brute force costs 2·N·d flops per query; this machine's exact search ran at "
                             f"{flops / 1e9:.1f} GFLOP/s in the batch above.")
            if scan > 0.05:
                page.verdict(False, f"Naive retrieval at {sz_n:,} items: an exact scan takes {scan:,.1f} s per query on one "
                         f"machine (a {1000 * scan / store.shards:,.0f} ms slice on each of {store.shards} shards) "
                         "against a budget of a few tens of ms for candidate generation: an ANN index is not optional.")
        rows = sz.size_by_dtype(sz_n, sz_d, replicas, ram, usable, overhead, pq_m=sz_m, M=M)
        figs = go.Figure(go.Bar(x=[r[0] for r in rows], y=[r[1].replica_bytes / 1e9 for r in rows],
                                text=[f"{sz.human_bytes(r[1].replica_bytes)} · {r[1].shards} shard(s)" for r in rows],
                                textposition="outside",
                                marker_color=["#d62728" if r[0] == dtype else "#9ecae1" for r in rows]))
        figs.add_hline(y=ram * usable, line_dash="dash")
        gbs = [r[1].replica_bytes / 1e9 for r in rows] + [ram * usable]
        figs.update_layout(title=f"One replica of {sz_n:,} × {sz_d} by storage type<br><sup>dashed: usable RAM "
                                 f"of one machine ({ram * usable:g} GB)</sup>", yaxis_title="GB (log)",
                           yaxis_type="log", height=380,
                           yaxis_range=[np.log10(min(gbs)) - 0.5, np.log10(max(gbs)) + 0.7], yaxis_dtick=1)
        page.chart(figs, hero=tab_size.open)

def tex(x: float, fmt: str = ",.0f") -> str:
    """A number for LaTeX: thousands separators braced so no space follows the comma."""
    return format(x, fmt).replace(",", "{,}")


# ---- the math --------------------------------------------------------------------------------
formulas = [
    r"\ell_i = -\log\frac{e^{s_{ii}}}{\sum_{j\in B} e^{s_{ij}}},\quad s_{ij} = \frac{\langle u_i, v_j\rangle}{\tau}"
    r" - \underbrace{\log q_j}_{\text{logQ}},\quad q_j = \frac{B\,p_j + R/n}{B + R},\quad p_j = \frac{\#\,\text{train interactions of } j}{\#\,\text{train interactions}}"
    rf"\quad (B = {batch}\ \text{{in-batch}},\ R = {cfg['random_negatives']}\ \text{{uniform over the }} n \text{{ items with interactions}})",
]
if recall_tt:
    formulas.append(
        rf"\text{{recall@}}{k} = \frac{{|\text{{top-}}{k}(u) \cap \text{{held-out}}(u)|}}{{|\text{{held-out}}(u)|}}:\ "
        rf"{recall_tt['logQ (production)'].recall:.3f}\ (\log Q)\ \text{{vs}}\ {recall_tt['no logQ (naive)'].recall:.3f}"
        rf"\ (\text{{naive}})\ \text{{vs}}\ {recall_tt['popularity baseline'].recall:.3f}\ (\text{{popularity}})")
if chosen is not None:
    formulas.append(rf"\text{{recall@}}{k} = \frac{{1}}{{|Q|}}\sum_q \frac{{|\text{{ANN}}_{{{k}}}(q)\cap \text{{Exact}}_{{{k}}}(q)|}}{{{k}}}"
                    rf" = {chosen.recall:.3f},\quad \text{{speed-up}} = \frac{{{tex(chosen.qps)}}}{{{tex(exact.qps)}}} = {chosen.qps / exact.qps:.1f}\times")
    formulas.append(rf"\text{{IVF scans}} \approx \frac{{\text{{nprobe}}}}{{\text{{nlist}}}} N = \frac{{{spec.nprobe}}}{{{nlist}}}\cdot{tex(n)} "
                    rf"\approx {tex(spec.nprobe / nlist * n)}\ \text{{vectors}};\quad"
                    rf"\text{{HNSW}} \sim \text{{efSearch}}\cdot M \cdot \ln N = {ef_search}\cdot{M}\cdot\ln {tex(n)} \approx {tex(ef_search * M * np.log(n))}\ \text{{distances}}")
formulas.append(rf"\text{{PQ code}} = m \cdot \frac{{\text{{nbits}}}}{{8}} = {pq_m}\cdot\frac{{{nbits}}}{{8}} = {pq_m * nbits / 8:g}\ \text{{B}}"
                rf"\ \text{{vs}}\ 4d = {4 * d}\ \text{{B (fp32)}}")
if store is not None:
    total_tex, replica_tex = (r"\text{" + sz.human_bytes(b) + "}" for b in (store.total_bytes, store.replica_bytes))
    formulas.append(rf"\text{{memory}} = N \cdot b \cdot r = 10^{{{round(np.log10(sz_n))}}} \cdot {tex(store.bytes_per_item)}\,\text{{B}} \cdot {replicas}"
                    rf" = {total_tex},\quad \text{{shards}} = \left\lceil"
                    rf"\frac{{{replica_tex}}}{{{usable:g}\cdot {ram}\,\text{{GB}}}}\right\rceil = {store.shards}")
page.math(formulas, notes=(
    "In-batch negatives sample item $j$ as a negative with probability $q_j$ (its popularity); subtracting "
    "$\\log q_j$ makes the sampled softmax estimate the full softmax, so the score ranks by $p(j\\mid u)$ "
    "rather than $p(j\\mid u)/q_j$. ANN recall is measured against exact search over the same vectors."))
page.board({"ann_index": ["Recall@k vs exact", "QPS (batch)", "Index memory", "One replica", "Machines"],
            "two_tower": ["Recall@k, logQ (production)", "Recall@k, no logQ (naive)"],
            "two_tower>ann_index": f"item vectors into {kind}"})
page.finish()
