"""Lesson 3's "Two-tower training" tab: the two-tower model trained with and without logQ, its
recall against the popularity baseline, where its recommendations fall by popularity, its loss
and the cold start of new items (layout and the cached trainings; the numbers come from
:mod:`playground.recsys.two_tower`). The models train in the background: meanwhile the tab
shows the popularity baseline and the untrained towers both models start from."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.background import background
from components.cache import cached, process_cache
from components.page import LessonPage
from playground.recsys import two_tower as tt

PRODUCTION, NAIVE, POPULARITY = "logQ (production)", "no logQ (naive)", "popularity baseline"
UNTRAINED = "untrained towers (random init)"
TRAINING = "Training the two-tower model with and without logQ"
CONTENT = "Training the item tower with categories for the cold-start comparison"


@cached()
def interactions(seed: int, zipf: float) -> tt.Interactions:
    return tt.make_interactions(zipf=zipf, seed=seed)


@cached(TRAINING)
def towers(seed: int, zipf: float, cfg: dict, progress=None) -> dict[bool, tt.TrainResult]:
    """Both models by logQ (on, off), one after the other on the same batches. ``cfg``: dim,
    epochs, batch_size, temperature, random_negatives (see ``tt.train``)."""
    report = progress or (lambda fraction, text: None)
    out = {}
    for done, logq in enumerate((True, False)):
        def step(fraction: float, text: str, done=done, logq=logq) -> None:
            report((done + fraction) / 2, f"{'with' if logq else 'without'} logQ, {text}")

        out[logq] = tt.train(interactions(seed, zipf), logq=logq, seed=seed, progress=step, **cfg)
    return out


def trained(seed: int, zipf: float, cfg: dict) -> dict[bool, tt.TrainResult] | None:
    """Both models, or None while they train in the background (their progress bar drawn here)."""
    return background(towers, seed, zipf, cfg, label=TRAINING)


@cached()
def content_tower(seed: int, zipf: float, cfg: dict, progress=None) -> tt.TrainResult:
    """The logQ model whose item tower also reads the item's category."""
    return tt.train(interactions(seed, zipf), logq=True, features=True, seed=seed, progress=progress, **cfg)


@cached()
def untrained_recalls(seed: int, zipf: float, cfg: dict, k: int) -> dict:
    """Held-out recall@k of the popularity baseline and of the towers both models start from."""
    data = interactions(seed, zipf)
    users = tt.eval_users(data, seed=seed)
    start = tt.untrained(data, cfg["dim"], seed=seed)
    return {POPULARITY: tt.evaluate(tt.popularity_scores(data, users), data, users, k),
            UNTRAINED: tt.evaluate(tt.model_scores(start, users), data, users, k)}


@cached()
def recalls(seed: int, zipf: float, cfg: dict, k: int) -> dict:
    """Held-out recall@k of both models and of the popularity baseline."""
    data = interactions(seed, zipf)
    users = tt.eval_users(data, seed=seed)
    models = towers(seed, zipf, cfg)
    return {
        PRODUCTION: tt.evaluate(tt.model_scores(models[True], users), data, users, k),
        NAIVE: tt.evaluate(tt.model_scores(models[False], users), data, users, k),
        POPULARITY: tt.evaluate(tt.popularity_scores(data, users), data, users, k),
    }


@cached()
def cold_starts(seed: int, zipf: float, cfg: dict, k: int) -> dict:
    """How the ID-only and the content (ID + category) tower, both with logQ, rank the new items."""
    data = interactions(seed, zipf)
    return {"content tower (ID + category)": tt.cold_start(content_tower(seed, zipf, cfg), data, k),
            "ID-only tower": tt.cold_start(towers(seed, zipf, cfg)[True], data, k)}


@cached()
def popularity_profiles(seed: int, zipf: float, cfg: dict, logq: bool, k: int) -> tuple:
    """Share of the model's top-k, and of the held-out interactions, per item-popularity decile."""
    data = interactions(seed, zipf)
    users = tt.eval_users(data, seed=seed)
    top = tt.top_k(tt.model_scores(towers(seed, zipf, cfg)[logq], users), data, users, k)
    return tt.popularity_profile(top, data), tt.popularity_profile(data.test_items, data)


def show(page: LessonPage, tab, seed: int, zipf: float, cfg: dict, negatives: str, logq: bool, k: int) -> dict:
    """Render the tab and return the trained models' evaluations by name (empty while they train
    in the background, when the tab shows the untrained towers and the popularity baseline, and
    after bad input)."""
    data = interactions(seed, zipf)
    ready = towers.cache_key(seed, zipf, cfg) in process_cache()
    with tab:
        st.markdown(
            f"{data.n_users:,} users × {data.n_items:,} items, {len(data.train_users):,} training and "
            f"{len(data.test_users):,} held-out interactions; item popularity ∝ rank^−{zipf:g}. Both "
            f"models train on the same batches with {negatives} negatives; only the logQ term differs.")
        if not ready:
            if _while_training(page, seed, zipf, cfg, k):
                _cold_start(page, data, seed, zipf, cfg, k, trained_now=False)
            return {}
        models = trained(seed, zipf, cfg)  # in the cache: no wait (unless evicted meanwhile)
        evals = None if models is None else page.guard(recalls, seed, zipf, cfg, k)
        if evals is None:
            return {}
        held_head = tt.heldout_head_share(data)
        _verdict(page, evals, logq, held_head, k)
        _recall_metrics(page, evals, k)
        page.chart(_recall_bars(evals, held_head, k,
                                f"Naive vs production on the same held-out interactions (k = {k})"))
        page.record("Head share of held-out interactions", f"{held_head:.3f}")
        page.chart(_profile_bars(*popularity_profiles(seed, zipf, cfg, logq, k), logq, k))
        loss = go.Figure()
        for lq, res in models.items():
            loss.add_scatter(x=res.epochs(), y=res.losses, mode="lines+markers", name="logQ" if lq else "no logQ")
        loss.update_layout(height=280, title="Training loss (in-batch softmax)", xaxis_title="epoch",
                           yaxis_title="loss (the logQ loss is on shifted logits)")
        page.chart(loss, container=st.expander("Training loss per epoch"))
        if not logq:
            st.caption("Why: without logQ the softmax learns log p(item | user) − log q(item): popular items, "
                       "sampled as negatives more often, are pushed down.")
        _cold_start(page, data, seed, zipf, cfg, k, trained_now=True)
    return evals


def _recall_metrics(page: LessonPage, evals: dict, k: int) -> None:
    """Recall@k of each scorer, with its catalogue coverage and head share under it."""
    for col, (name, ev) in zip(st.columns(3), evals.items()):
        page.metric(f"Recall@k, {name}", f"{ev.recall:.3f}", f"recommends {ev.coverage:.0%} of the catalogue, "
                    f"{ev.head_share:.0%} from the top 10 %",
                    container=col, headline=name == PRODUCTION, delta_color="off", delta_arrow="off",
                    help=f"Held-out items found in the top {k}; below: share of all items in anyone's top k.")


def _verdict(page: LessonPage, evals: dict, logq: bool, held_head: float, k: int) -> None:
    """Green when the towers the index serves (``logq``: with the correction) recall at least as
    much as the other model; either way, where the model without logQ puts its top k."""
    served, other = (evals[PRODUCTION], evals[NAIVE]) if logq else (evals[NAIVE], evals[PRODUCTION])
    page.verdict(served.recall >= other.recall,
                 f"The index serves the towers trained {'with' if logq else 'without'} logQ: recall@{k} "
                 f"{served.recall:.3f} against {other.recall:.3f} {'without' if logq else 'with'} it. Without logQ, "
                 f"{evals[NAIVE].head_share:.0%} of the top {k} comes from the 10 % most popular items, which make "
                 f"{held_head:.0%} of the held-out interactions.")


def _while_training(page: LessonPage, seed: int, zipf: float, cfg: dict, k: int) -> bool:
    """The popularity baseline and the towers both models start from, with the training's progress
    bar above them; the page reruns (and shows the trained models) when training finishes, also
    if it finishes while this run waits for it. Returns whether the input was good."""
    bar = st.container()
    starting = page.guard(untrained_recalls, seed, zipf, cfg, k)
    if starting is not None:
        page.verdict(False, f"Untrained towers while both models train: recall@{k} {starting[UNTRAINED].recall:.3f}, "
                     f"against {starting[POPULARITY].recall:.3f} for recommending the most popular items.")
        _recall_metrics(page, starting, k)
        st.caption("Both models are training in the background, from these same random towers: untrained, "
                   "they rank items about at random. Their recall, where their recommendations fall by "
                   "popularity and their loss curves replace this view when training finishes.")
        page.chart(_recall_bars(starting, tt.heldout_head_share(interactions(seed, zipf)), k,
                                f"Before training: the random towers vs popularity (k = {k})"))
    with bar:
        if trained(seed, zipf, cfg) is not None:
            st.rerun()
    return starting is not None


def _cold_start(page: LessonPage, data: tt.Interactions, seed: int, zipf: float, cfg: dict, k: int,
                trained_now: bool) -> None:
    """The new items ranked by the content and the ID-only tower (once both models are trained,
    ``trained_now``): the content tower, a third model, trains in the background after the two
    others, so their numbers and charts show first."""
    st.markdown(f"**Cold start:** {len(data.new_items)} items launched after training (no interaction). An ID-only "
                "tower has no row for them; an item tower that also reads the item's category places them by it.")
    tower = page.guard(background, content_tower, seed, zipf, cfg, label=CONTENT)
    cold = page.guard(cold_starts, seed, zipf, cfg, k) if tower is not None and trained_now else None
    for col, (name, cs) in zip(st.columns(2), (cold or {}).items()):
        page.metric(f"New item's median rank, {name}", f"{cs.median_rank:.0f} of {cs.candidates}",
                    f"in the top {k} for {cs.hit_rate:.0%} of its users", container=col, delta_color="off",
                    delta_arrow="off", help="Rank of each new item for each user the generator says would consume it.")


def _recall_bars(evals: dict, held_head: float, k: int, title: str) -> go.Figure:
    """Recall, head share and coverage of each scorer, grouped, with the held-out head share dotted."""
    fig = go.Figure()
    names = list(evals)
    fig.add_bar(x=names, y=[evals[n].recall for n in names], name=f"recall@{k}",
                text=[f"{evals[n].recall:.3f}" for n in names], textposition="outside")
    fig.add_bar(x=names, y=[evals[n].head_share for n in names], name="share of top-k from the 10 % most popular items",
                text=[f"{evals[n].head_share:.2f}" for n in names], textposition="outside")
    fig.add_bar(x=names, y=[evals[n].coverage for n in names], name="catalogue coverage", textposition="outside",
                text=[f"{evals[n].coverage:.2f}" for n in names])
    fig.add_hline(y=held_head, line_dash="dot")
    fig.update_layout(barmode="group", title=f"{title}<br><sup>dotted: share of held-out interactions on the 10 % most popular items "
                      f"({held_head:.2f})</sup>",
                      yaxis_title="share", height=420)
    return fig


def _profile_bars(recommended, held_out, logq: bool, k: int) -> go.Figure:
    """Share of the model's top-k and of the held-out interactions per popularity decile."""
    fig = go.Figure()
    deciles = tt.popularity_bin_labels(len(held_out))
    fig.add_bar(x=deciles, y=held_out, name="held-out interactions (what users consume)")
    fig.add_bar(x=deciles, y=recommended, name=f"top-{k} of the model {'with' if logq else 'without'} logQ")
    fig.update_layout(barmode="group", height=360,
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
