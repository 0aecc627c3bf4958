"""Lesson 15's cross-modal search over the held-out set: free text → images, image → captions
(layout only; the ranking comes from :mod:`playground.cases.clip_metrics`)."""

from __future__ import annotations

import streamlit as st

from components.clip_builds import embed_texts
from components.page import LessonPage
from playground.cases import clip_data, clip_experiment, clip_metrics, clip_model
from playground.scenario import escape_md


def show(page: LessonPage, bundle: clip_experiment.ClipExperiment, test: clip_data.CaptionedImages) -> None:
    """Render the section (in its tab: the results-to-show slider sits here, not in the sidebar)."""
    k_show = page.slider("k", "Results to show", 1, 20, 8, container=st)
    tab_text, tab_image = st.tabs(["Text → images", "Image → captions"])
    with tab_text:
        query = page.text("query", "Free-text query", clip_model.DEFAULT_QUERY, container=tab_text)
        if not query.strip():
            st.warning("Type a query (for example “three small blue squares at the top”) to search the images.")
        else:
            q_emb = embed_texts(bundle.record.model, [query])[0]
            idx, scores = clip_metrics.top_k(q_emb, bundle.images, k_show)
            st.caption(f"Top {len(idx)} of {len(test)} held-out images for “{escape_md(query[:120])}”; "
                       "the caption under each image is its true caption, for checking.")
            st.image([clip_data.enlarge(test.images[i]) for i in idx],
                     caption=[f"{s:.2f} · {test.captions[i]}" for i, s in zip(idx, scores)], width=120)
    with tab_image:
        pick = page.number("image", "Held-out image #", 0, len(test) - 1, 0, step=1, container=tab_image)
        a, b = st.columns([1, 3])
        a.image(clip_data.enlarge(test.images[pick], 3), caption=f"true: {test.captions[pick]}")
        b.dataframe(clip_metrics.ranked_captions(pick, bundle.images, bundle.texts, test.captions,
                                                 test.scene_keys(), k_show), hide_index=True)
