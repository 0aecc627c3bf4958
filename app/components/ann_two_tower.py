"""Lesson 3's "Two-tower training" tab: the two-tower model trained with and without logQ, its
recall against the popularity baseline, where its recommendations fall by popularity, its loss
and the cold start of new items (layout and the cached trainings; the numbers come from
:mod:`playground.recsys.two_tower`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.background import background
from components.cache import cached
from components.page import LessonPage
from playground.recsys import two_tower as tt

PRODUCTION, NAIVE, POPULARITY = "logQ (production)", "no logQ (naive)", "popularity baseline"


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
        PRODUCTION: tt.evaluate(tt.model_scores(models[True], users), data, users, k),
        NAIVE: tt.evaluate(tt.model_scores(models[False], users), data, users, k),
        POPULARITY: tt.evaluate(tt.popularity_scores(data, users), data, users, k),
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


def show(page: LessonPage, tab, seed: int, zipf: float, cfg: dict, negatives: str, logq: bool, k: int) -> dict:
    """Train both models (before the tab, so the progress shows whichever tab is open), render the
    tab and return the evaluations by model name (empty after bad input)."""
    data = interactions(seed, zipf)
    models = {lq: two_tower(seed, zipf, cfg, lq) for lq in (True, False)}
    with tab:
        st.markdown(
            f"{data.n_users:,} users × {data.n_items:,} items, {len(data.train_users):,} training and "
            f"{len(data.test_users):,} held-out interactions; item popularity ∝ rank^−{zipf:g}. Both "
            f"models train on the same batches with {negatives} negatives; only the logQ term differs.")
        evals = page.guard(recalls, seed, zipf, cfg, k)
        if evals is None:
            return {}
        for col, (name, ev) in zip(st.columns(3), evals.items()):
            page.metric(f"Recall@k, {name}", f"{ev.recall:.3f}", f"recommends {ev.coverage:.0%} of the catalogue, "
                        f"{ev.head_share:.0%} from the top 10 %",
                        container=col, headline=name == PRODUCTION, delta_color="off", delta_arrow="off",
                        help=f"Held-out items found in the top {k}; below: share of all items in anyone's top k.")
        held_head = tt.heldout_head_share(data)
        page.chart(_recall_bars(evals, held_head, k))
        page.record("Head share of held-out interactions", f"{held_head:.3f}")
        page.chart(_profile_bars(*popularity_profiles(seed, zipf, cfg, logq, k), logq, k))
        loss = go.Figure()
        for lq, res in models.items():
            loss.add_scatter(x=res.epochs(), y=res.losses, mode="lines+markers", name="logQ" if lq else "no logQ")
        loss.update_layout(height=280, title="Training loss (in-batch softmax)", xaxis_title="epoch",
                           yaxis_title="loss (the logQ loss is on shifted logits)")
        page.chart(loss, container=st.expander("Training loss per epoch"))
        if not logq:
            st.warning("Without logQ the softmax learns log p(item | user) − log q(item): popular items, "
                       "sampled as negatives far more often, are pushed down and the retriever "
                       "recommends the tail users rarely consume.")
        st.markdown(f"**Cold start:** {len(data.new_items)} items launched after training (no interaction). An ID-only "
                    "tower has no row for them; an item tower that also reads the item's category places them by it.")
        # a third model (the item tower with categories): trained in the background, so the recall
        # numbers and charts above show first
        cold = page.guard(background, cold_starts, seed, zipf, cfg, k,
                          label="Training the item tower with categories for the cold-start comparison")
        for col, (name, cs) in zip(st.columns(2), (cold or {}).items()):
            page.metric(f"New item's median rank, {name}", f"{cs.median_rank:.0f} of {cs.candidates}",
                        f"in the top {k} for {cs.hit_rate:.0%} of its users", container=col, delta_color="off",
                        delta_arrow="off", help="Rank of each new item for each user the generator says would consume it.")
    return evals


def _recall_bars(evals: dict, held_head: float, k: int) -> go.Figure:
    """Recall, head share and coverage of each model, grouped, with the held-out head share dotted."""
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
    return fig


def _profile_bars(recommended, held_out, logq: bool, k: int) -> go.Figure:
    """Share of the model's top-k and of the held-out interactions per popularity decile."""
    fig = go.Figure()
    deciles = tt.popularity_bin_labels(len(held_out))
    fig.add_bar(x=deciles, y=held_out, name="held-out interactions (what users consume)")
    fig.add_bar(x=deciles, y=recommended, name=f"top-{k} of the model {'with' if logq else 'without'} logQ")
    fig.update_layout(barmode="group", height=360, legend_orientation="h",
                      title="Where recommendations fall by item popularity decile (most popular first)",
                      yaxis_title="share")
    return fig


def formulas(batch: int, random_negatives: int, k: int, evals: dict) -> list[str]:
    """The sampled-softmax loss with logQ (batch shape filled in) and, when evaluated, recall@k of
    the three scorers."""
    out = [
        r"\ell_i = -\log\frac{e^{s_{ii}}}{\sum_{j\in B} e^{s_{ij}}},\quad s_{ij} = \frac{\langle u_i, v_j\rangle}{\tau}"
        r" - \underbrace{\log q_j}_{\text{logQ}},\quad q_j = \frac{B\,p_j + R/n}{B + R},\quad p_j = \frac{\#\,\text{train interactions of } j}{\#\,\text{train interactions}}"
        rf"\quad (B = {batch}\ \text{{in-batch}},\ R = {random_negatives}\ \text{{uniform over the }} n \text{{ items with interactions}})",
    ]
    if evals:
        out.append(
            rf"\text{{recall@}}{k} = \frac{{|\text{{top-}}{k}(u) \cap \text{{held-out}}(u)|}}{{|\text{{held-out}}(u)|}}:\ "
            rf"{evals[PRODUCTION].recall:.3f}\ (\log Q)\ \text{{vs}}\ {evals[NAIVE].recall:.3f}"
            rf"\ (\text{{naive}})\ \text{{vs}}\ {evals[POPULARITY].recall:.3f}\ (\text{{popularity}})")
    return out
