"""Lesson 15's modality gap: the PCA of held-out image and caption embeddings and what the gap
does to a mixed index (layout only; the numbers come from :mod:`playground.cases.clip_metrics`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from playground.cases import clip_data, clip_experiment, clip_metrics


def show(page: LessonPage, bundle: clip_experiment.ClipExperiment, test: clip_data.CaptionedImages) -> float:
    """Render the section (in its tab: the close-the-gap toggle sits here, not in the sidebar);
    return the modality gap."""
    gap = clip_metrics.modality_gap(bundle.images, bundle.texts)
    coords, share = bundle.pca
    n = len(bundle.images)
    gfig = go.Figure()
    gfig.add_scatter(x=coords[:n, 0], y=coords[:n, 1], mode="markers", name="images",
                     marker=dict(size=5, opacity=0.6), text=test.captions, hoverinfo="text")
    gfig.add_scatter(x=coords[n:, 0], y=coords[n:, 1], mode="markers", name="captions",
                     marker=dict(size=5, opacity=0.6, symbol="x"), text=test.captions, hoverinfo="text")
    cx, cy = clip_metrics.centroids_2d(coords, n)
    gfig.add_scatter(x=cx, y=cy, mode="markers+lines", name="centroids",
                     marker=dict(size=14, color="black", symbol="diamond"))
    gfig.update_layout(title=f"PCA of held-out image and caption embeddings (PC1 {share[0]:.0%}, PC2 {share[1]:.0%})",
                       height=420, xaxis_title="PC1", yaxis_title="PC2")
    page.chart(gfig)
    close_gap = page.toggle("close_gap", "Close the gap (subtract each modality's centroid)", False,
                            container=st)
    c0, c1, c2 = st.columns(3)
    page.metric("Gap at initialisation", f"{bundle.init_gap:.3f}", container=c0,
                help="The same towers before training: random networks already map the two modalities "
                     "to different regions (each tower has its own 'cone').")
    page.metric("Modality gap ‖μ_img − μ_txt‖", f"{gap:.3f}", container=c1)
    page.metric("Images in a mixed index's top 10 (text queries)", f"{bundle.mixed[close_gap]:.0%}", container=c2,
                help="Captions and images in one index, searched with each caption: half would be "
                     "images if the modalities were interchangeable.")
    st.caption("Ranking text→image or image→text is unchanged by the gap (it shifts every score of a "
               "query by the same amount), but a single index mixing both modalities is biased towards "
               "the query's own modality.")
    return gap
