"""Lesson 15: train a CLIP-style dual encoder with symmetric InfoNCE on drawn scenes, search across
modalities, evaluate both directions and look at the modality gap. The cached builds are in
``components.clip_builds``, each section's layout in its own ``components.clip_*`` module."""

import streamlit as st

from components import clip_gap, clip_real_weights, clip_search, clip_training_view, clip_zero_shot
from components.background import background
from components.clip_builds import caption_features, dataset, trained, untrained
from components.page import LessonPage
from playground.cases import clip_data, clip_training
from playground.scenario import escape_md
from scenarios.l15 import PRESETS

page = LessonPage("l15", presets=PRESETS)
st.sidebar.markdown("**Training (changing these retrains the model)**")
seed = page.number("seed", "Seed", 0, 9999, 0, step=1,
                   help="Initial weights and batch order; the same seed and settings train the same model.")
epochs = page.slider("epochs", "Epochs", 1, 10, 6)
batch = page.select_slider("batch", "Batch size (pairs per step)", [8, 16, 32, 64, 128, 256], 64,
                           help="Each pair is contrasted with the other B − 1 pairs of "
                                "its batch (in-batch negatives).")
dim = page.select_slider("dim", "Embedding dimension", [2, 4, 8, 16, 32, 64, 128], 32)
temperature = float(page.select_slider("temperature", "Temperature τ", clip_training.TEMPERATURES, "0.07",
                                       help="Logits are cosine / τ."))
learn_t = page.select("learn_t", "τ during training", ["fixed", "learned"], "fixed", radio=True,
                      help="Learned: τ starts at the value above and is trained (CLIP).")

train, test = dataset()
settings = clip_training.TrainSettings(epochs=epochs, batch_size=batch, dim=dim,
                                       temperature=temperature, learn_temperature=learn_t == "learned",
                                       seed=int(seed))
st.markdown(f"**{len(train)} training pairs, {len(test)} held-out pairs** of drawn scenes "
            f"({clip_data.IMAGE_SIZE}×{clip_data.IMAGE_SIZE} px). Image tower: a small CNN; text "
            "tower: the packaged MiniLM (frozen) plus a trained projection.")
try:
    settings.check(len(train))  # before anything is built
except ValueError as err:
    st.error(escape_md(str(err)))
    page.finish()
    st.stop()
features = background(caption_features, train, test, label="Encoding the captions with the frozen MiniLM (once)")
bundle = None if features is None else background(trained, settings, train, test, features,
                                                  label="Training the dual encoder")
if bundle is None:  # the untrained towers (at chance) while the model trains
    if features is not None:
        clip_training_view.show_untrained(page, *untrained(settings, test, features[1]))
    page.finish()
    st.stop()
record, retrieval = bundle.record, bundle.retrieval

floor = clip_training_view.show_headline(page, bundle, batch)
tabs = page.tabs("view", ["Training", "Cross-modal search", "Zero-shot classification", "Modality gap"],
                 on_stage=False)
with tabs[0]:
    clip_training_view.show_curves(page, bundle, batch, floor)
with tabs[1]:
    clip_search.show(page, bundle, test)
with tabs[2]:
    clip_zero_shot.show(page, bundle, test)
with tabs[3]:
    gap = clip_gap.show(page, bundle, test)
clip_real_weights.show(page)

tau_now = record.temperature[-1]
page.math([
    r"\mathcal{L} = \tfrac12\Big[-\tfrac1B\sum_i \log\frac{e^{\langle u_i, v_i\rangle/\tau}}{\sum_j e^{\langle u_i, v_j\rangle/\tau}}"
    r" - \tfrac1B\sum_i \log\frac{e^{\langle u_i, v_i\rangle/\tau}}{\sum_j e^{\langle u_j, v_i\rangle/\tau}}\Big]"
    rf" = {record.heldout_loss[-1]:.3f}\ \text{{(held out)}}",
    rf"B = {batch},\quad \tau = {tau_now:.4f},\quad \ln B = {clip_training.chance_loss(batch):.3f}"
    r"\ \text{(every score equal: pairs not told apart)}",
    rf"\mathcal{{L}}_{{\min}} = \ln\!\big(1 + (B-1)\,e^{{-(1 + \frac{{1}}{{B-1}})/\tau}}\big) = {floor:.3f}"
    r"\ \text{(pairs aligned, batch spread as a simplex)}",
    rf"\mathrm{{R@10}}_{{i\to t}} = {retrieval.image_to_text[10]:.3f},\quad"
    rf"\mathrm{{R@10}}_{{t\to i}} = {retrieval.text_to_image[10]:.3f},\quad"
    rf"\text{{chance}} = 1 - \binom{{N-m}}{{10}}\Big/\binom{{N}}{{10}} \approx {retrieval.chance_image_to_text[10]:.4f}",
    rf"\text{{gap}} = \lVert \bar u - \bar v \rVert_2 = {gap:.3f}",
], notes="$u_i$ is the unit image embedding and $v_i$ the unit caption embedding of pair $i$; every "
         "other pair of the batch is a negative, so a larger batch means more negatives. τ sets "
         "how sharp the softmax is: at τ = 1 cosines in [−1, 1] can hardly separate a pair from "
         "its negatives. Recall counts a hit when a top-k item shows the same scene as the "
         f"query's pair (N = {len(test)} candidates, m of them relevant).")
page.board({"dual_encoder": ["Held-out loss", "Final temperature"],
            "image_index": ["R@10 text→image", "Images in a mixed index's top 10 (text queries)"],
            "text_encoder": ["R@10 image→text"]})
page.finish()
