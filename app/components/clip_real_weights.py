"""Lesson 15's optional expander: CLIP weights from a folder on the server, scored on held-out
pairs (layout only; the numbers come from :func:`playground.cases.clip_pretrained.heldout_scores`)."""

from __future__ import annotations

import streamlit as st

from components.clip_builds import REAL_CLIP_IMAGES, real_clip_scores
from components.page import LessonPage
from components.server_path import server_path_input
from playground.cases import clip_pretrained
from playground.scenario import escape_md


def show(page: LessonPage) -> None:
    """Render the expander."""
    with st.expander("Use real CLIP weights from disk (optional)"):
        path = server_path_input("clip_path", "Folder with CLIP weights (transformers or open_clip format)",
                                 page.hosted, container=st.container())
        st.caption("Nothing is downloaded. A transformers folder has config.json (model_type clip), "
                   "model.safetensors or pytorch_model.bin and tokenizer files; an open_clip folder has "
                   "open_clip_config.json and open_clip_pytorch_model.bin (needs open_clip_torch).")
        if not path:
            return
        try:
            clip_pretrained.check_clip_path(path)
            real, real_acc, real_gap = real_clip_scores(path)
            cols = st.columns(4)
            page.metric("CLIP image→text R@10", f"{real.image_to_text[10]:.2f}", container=cols[0])
            page.metric("CLIP text→image R@10", f"{real.text_to_image[10]:.2f}", container=cols[1])
            page.metric("CLIP zero-shot colour", f"{real_acc:.2f}", container=cols[2])
            page.metric("CLIP modality gap", f"{real_gap:.3f}", container=cols[3])
            st.caption(f"On the first {REAL_CLIP_IMAGES} held-out pairs (chance R@10 "
                       f"{real.chance_image_to_text[10]:.3f}).")
        except (ValueError, RuntimeError, OSError) as err:  # bad folder or weights the code cannot run
            st.error(escape_md(str(err)[:400]))
