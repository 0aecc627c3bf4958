"""Lesson 15's training section: the untrained towers while training runs, then the headline
numbers, the loss curve, τ or recall@k, and the recall table (layout only; the numbers come from
:mod:`playground.cases.clip_training` and :mod:`playground.cases.clip_metrics`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from playground.cases import clip_experiment, clip_metrics, clip_training


def show_untrained(page: LessonPage, init: clip_metrics.Retrieval, init_gap: float) -> None:
    """The towers at initialisation, shown while the model trains."""
    cols = st.columns(3)
    page.metric("R@10 image→text, untrained", f"{init.image_to_text[10]:.3f}", container=cols[0],
                help=f"The towers at initialisation. Chance: {init.chance_image_to_text[10]:.3f}")
    page.metric("R@10 text→image, untrained", f"{init.text_to_image[10]:.3f}", container=cols[1],
                help=f"The towers at initialisation. Chance: {init.chance_text_to_image[10]:.3f}")
    page.metric("Gap at initialisation", f"{init_gap:.3f}", container=cols[2])
    st.caption("Before training the two towers retrieve at about chance: nothing ties a caption to "
               "its image yet. The trained model's numbers, curves, search and gap appear when "
               "training finishes.")
    page.verdict(False, f"Untrained towers: held-out R@10 image→text {init.image_to_text[10]:.3f}, text→image "
                 f"{init.text_to_image[10]:.3f} against {init.chance_image_to_text[10]:.3f} by chance. Nothing "
                 "ties a caption to its image until the contrastive loss trains both towers (training now; "
                 "the trained model's verdict replaces this one).")
    page.chart(_recall_figure(None, init), hero=True)


def show_headline(page: LessonPage, bundle: clip_experiment.ClipExperiment, batch: int) -> float:
    """The headline numbers; return the loss floor (nats) at this batch and final τ."""
    record, retrieval, init = bundle.record, bundle.retrieval, bundle.init_retrieval
    cols = st.columns(5)
    page.metric("R@10 image→text", f"{retrieval.image_to_text[10]:.2f}", container=cols[0], headline=True,
                help=f"Held-out image→text recall@10. Chance: {retrieval.chance_image_to_text[10]:.3f}; "
                     f"the untrained (random-init) model: {init.image_to_text[10]:.3f}")
    page.metric("R@10 text→image", f"{retrieval.text_to_image[10]:.2f}", container=cols[1], headline=True,
                help=f"Held-out text→image recall@10. Chance: {retrieval.chance_text_to_image[10]:.3f}; "
                     f"the untrained (random-init) model: {init.text_to_image[10]:.3f}")
    floor = clip_training.loss_floor(batch, record.temperature[-1])
    page.metric("Held-out loss", f"{record.heldout_loss[-1]:.3f}", container=cols[2],
                help=f"nats; a model that cannot tell pairs apart scores ln B = {clip_training.chance_loss(batch):.3f}; "
                     f"a perfect one at this τ and batch scores {floor:.3f}")
    page.metric("Loss floor", f"{floor:.3f}", container=cols[3],
                help="The loss of a perfect model: pairs aligned, the batch spread as a simplex.")
    page.metric("Training time", f"{record.seconds:.1f} s", container=cols[4],
                help="Wall time of this training run (cached: a rerun does not retrain).")
    aligned = max(retrieval.image_to_text[10], retrieval.text_to_image[10]) >= 3 * retrieval.chance_image_to_text[10]
    page.verdict(aligned, f"Held-out R@10 image→text {retrieval.image_to_text[10]:.2f}, text→image "
                 f"{retrieval.text_to_image[10]:.2f} against {retrieval.chance_image_to_text[10]:.3f} by chance: "
                 + ("the contrastive loss has aligned the two towers." if aligned else
                    "within a few times chance, this model has not aligned the two modalities (look at the "
                    "temperature and the loss curve).")
                 + f" The top of the ranking: R@1 {retrieval.image_to_text[1]:.2f} image→text, "
                   f"{retrieval.text_to_image[1]:.2f} text→image.")
    st.caption("Even the naive τ = 1 aligns the towers far above chance, so this verdict stays green "
               "there: what a high temperature costs is the top of the ranking (R@1) and a loss that "
               "cannot fall below the floor, not the alignment itself.")
    return floor


def show_curves(page: LessonPage, bundle: clip_experiment.ClipExperiment, batch: int, floor: float) -> None:
    """The loss curve beside τ (learned) or recall@k (fixed τ), and the recall table."""
    record, retrieval = bundle.record, bundle.retrieval
    curves, chance = record.loss_curves(), clip_training.chance_loss(batch)
    fig = go.Figure()
    fig.add_scatter(x=curves["step"][0], y=curves["step"][1], mode="lines", name="train loss (per step)",
                    line=dict(width=1), opacity=0.5)
    fig.add_scatter(x=curves["epoch"][0], y=curves["epoch"][1], mode="lines+markers", name="train loss (epoch mean)")
    fig.add_scatter(x=curves["heldout"][0], y=curves["heldout"][1], mode="lines+markers", name="held-out loss")
    fig.add_hline(y=chance, line_dash="dash", annotation_text=f"ln B = {chance:.2f} (chance)")
    fig.add_hline(y=floor, line_dash="dot", line_color="green",
                  annotation_text=f"floor {floor:.2f} (perfect model at τ = {record.temperature[-1]:.3g})")
    fig.update_layout(title="Symmetric InfoNCE loss (nats per pair)", xaxis_title="epoch",
                      yaxis_title="loss", height=340)
    left, right = st.columns([3, 2])
    page.chart(fig, container=left)
    if record.settings.learn_temperature:
        epochs, taus = record.temperature_path()
        tfig = go.Figure(go.Scatter(x=epochs, y=taus, mode="lines+markers"))
        tfig.update_layout(title="Learned temperature τ", xaxis_title="epoch", yaxis_title="τ", height=340)
        page.chart(tfig, container=right)
    else:
        page.chart(_recall_figure(retrieval, bundle.init_retrieval), container=right, hero=True)
    page.record("Final temperature", f"{record.temperature[-1]:.4f}")
    table = clip_metrics.recall_table(retrieval, bundle.init_retrieval)
    ex = st.expander("Recall@k table (held out, both directions)")
    ex.dataframe(table.style.format({c: "{:.3f}" for c in table.columns[1:]}), hide_index=True)
    for k in clip_metrics.KS:
        page.record(f"recall@{k} image→text / text→image",
                    f"{retrieval.image_to_text[k]:.3f} / {retrieval.text_to_image[k]:.3f}")


def _recall_figure(retrieval: clip_metrics.Retrieval | None, init: clip_metrics.Retrieval) -> go.Figure:
    """Held-out recall@k both ways of the trained model (``None``: still training) beside the
    untrained towers and chance."""
    ks = clip_metrics.KS
    names = [f"recall@{k}" for k in ks]
    fig = go.Figure()
    if retrieval is not None:
        fig.add_bar(x=names, y=[retrieval.image_to_text[k] for k in ks], name="image → text")
        fig.add_bar(x=names, y=[retrieval.text_to_image[k] for k in ks], name="text → image")
    fig.add_bar(x=names, y=[init.image_to_text[k] for k in ks],
                name="untrained, image → text", marker_color="lightgrey")
    if retrieval is None:
        fig.add_bar(x=names, y=[init.text_to_image[k] for k in ks],
                    name="untrained, text → image", marker_color="darkgrey")
    fig.add_scatter(x=names, y=[init.chance_image_to_text[k] for k in ks],
                    mode="markers", marker_symbol="line-ew-open", marker_size=30, name="chance")
    title = "Held-out recall@k, both directions" if retrieval is not None else \
        "Held-out recall@k before training (the model is training)"
    fig.update_layout(title=title, yaxis_range=[0, 1], height=340)
    return fig
