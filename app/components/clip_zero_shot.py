"""Lesson 15's zero-shot classification with a typed prompt template (layout only; the
accuracies come from :mod:`playground.cases.clip_metrics`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.clip_builds import embed_texts
from components.page import LessonPage
from playground.cases import clip_data, clip_experiment, clip_metrics
from playground.scenario import chart_text


def show(page: LessonPage, bundle: clip_experiment.ClipExperiment, test: clip_data.CaptionedImages) -> None:
    """Render the section (in its tab: the template box sits here, not in the sidebar)."""
    template = page.text("template", "Prompt template ({} is replaced by the class)", clip_metrics.DEFAULT_TEMPLATE,
                         container=st)
    zero_shot = page.guard(clip_metrics.zero_shot_by_attribute, bundle.images, test.labels, template,
                           lambda prompts: embed_texts(bundle.record.model, prompts)) or {}
    if not zero_shot:
        return
    attrs = list(zero_shot)
    chance = {a: clip_metrics.chance_accuracy(a) for a in attrs}
    zfig = go.Figure()
    zfig.add_bar(x=attrs, y=[zero_shot[a] for a in attrs], name="zero-shot accuracy",
                 text=[f"{zero_shot[a]:.2f}" for a in attrs], textposition="outside")
    zfig.add_scatter(x=attrs, y=[chance[a] for a in attrs], mode="markers",
                     marker_symbol="line-ew-open", marker_size=40, name="chance (1 / classes)")
    zfig.update_layout(title=f"Zero-shot accuracy on {len(test)} held-out images "
                             f"(prompts like “{chart_text(clip_metrics.class_prompts('colour', template)[0])}”)",
                       yaxis_range=[0, 1.1], height=340)
    page.chart(zfig)
    page.metric("Zero-shot colour accuracy", f"{zero_shot['colour']:.2f}", help=f"chance {chance['colour']:.2f}")
    weakest = clip_metrics.weakest_attribute(zero_shot)
    st.caption(f"Weakest attribute: **{weakest}** ({zero_shot[weakest]:.2f} against chance "
               f"{chance[weakest]:.2f}). The contrastive loss only rewards features "
               "that tell a pair from its in-batch negatives; when other cues already separate almost "
               "every negative, this one is learned last (feature suppression). The usual remedies are "
               "hard negatives (scenes that differ only in this attribute), more data and a stronger "
               "image tower.")
    for a in attrs:
        page.record(f"zero-shot accuracy ({a})", f"{zero_shot[a]:.3f}")
