"""Lesson 15: train a CLIP-style dual encoder with symmetric InfoNCE on drawn scenes, search across
modalities, evaluate both directions and look at the modality gap."""

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.background import background
from components.cache import cached
from components.page import LessonPage
from components.server_path import server_path_input
from playground.cases import clip_data, clip_experiment, clip_metrics, clip_model, clip_pretrained, clip_training
from playground.scenario import chart_text, escape_md
from scenarios.l15 import PRESETS

REAL_CLIP_IMAGES = 200  # held-out images scored with user-supplied CLIP weights (CPU budget)

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


@cached("Loading the shipped image–caption set…")
def dataset():
    data = clip_data.load()
    return data.subset("train"), data.subset("test")


@cached("Encoding the captions with the frozen MiniLM (once)…")
def caption_features(_train, _test):
    """MiniLM vectors of the shipped captions (train, test); the arguments are the shipped splits."""
    return (clip_model.caption_features(_train.captions, persist=True),
            clip_model.caption_features(_test.captions, persist=True))


@cached()
def text_features(texts: tuple[str, ...]) -> np.ndarray:
    return clip_model.caption_features(list(texts), persist=False)


@cached()
def untrained(settings: clip_training.TrainSettings, _test, _test_feats) -> tuple:
    """Held-out retrieval and modality gap of the towers before training."""
    return clip_experiment.untrained(_test.images, _test_feats, _test.scene_keys(), settings)


@cached("Training the dual encoder…")
def trained(settings: clip_training.TrainSettings, _train, _test, _features,
            progress=None) -> clip_experiment.ClipExperiment:
    """The model trained with ``settings`` and its held-out measurements (the data arguments are
    the shipped splits and their caption features)."""
    (train_feats, test_feats), report = _features, progress or (lambda fraction, message: None)
    return clip_experiment.run(_train.images, train_feats, _test.images, test_feats, _test.scene_keys(), settings,
                               progress=lambda fraction, message: report(fraction, f"Training: {message}"))


@cached(f"Scoring {REAL_CLIP_IMAGES} held-out images with CLIP…")
def real_clip_scores(folder: str):
    """recall@k both ways, zero-shot colour accuracy and the gap of user-supplied CLIP weights."""
    _, test = dataset()
    model = clip_pretrained.RealClip(folder)
    images, captions = test.images[:REAL_CLIP_IMAGES], test.captions[:REAL_CLIP_IMAGES]
    i_emb, t_emb = model.encode_images(images), model.encode_texts(captions)
    prompts = clip_metrics.class_prompts("colour", clip_metrics.DEFAULT_TEMPLATE)
    acc = clip_metrics.zero_shot_accuracy(i_emb, model.encode_texts(prompts), test.labels[:REAL_CLIP_IMAGES, 0])[0]
    return (clip_metrics.evaluate(i_emb, t_emb, test.scene_keys()[:REAL_CLIP_IMAGES]), acc,
            clip_metrics.modality_gap(i_emb, t_emb))


def enlarge(image: np.ndarray, factor: int = 2) -> np.ndarray:
    return np.kron(image, np.ones((factor, factor, 1), dtype=np.uint8))


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
        init, init_gap = untrained(settings, test, features[1])
        cols = st.columns(3)
        page.metric("R@10 image→text, untrained", f"{init.image_to_text[10]:.3f}", container=cols[0],
                    help=f"The towers at initialisation. Chance: {init.chance_image_to_text[10]:.3f}")
        page.metric("R@10 text→image, untrained", f"{init.text_to_image[10]:.3f}", container=cols[1],
                    help=f"The towers at initialisation. Chance: {init.chance_text_to_image[10]:.3f}")
        page.metric("Gap at initialisation", f"{init_gap:.3f}", container=cols[2])
        st.caption("Before training the two towers retrieve at about chance: nothing ties a caption to "
                   "its image yet. The trained model's numbers, curves, search and gap appear when "
                   "training finishes.")
    page.finish()
    st.stop()
record, img_emb, txt_emb = bundle.record, bundle.images, bundle.texts
keys = test.scene_keys()
retrieval = bundle.retrieval

# ---- headline numbers -------------------------------------------------------------------
cols = st.columns(5)
page.metric("R@10 image→text", f"{retrieval.image_to_text[10]:.2f}", container=cols[0], headline=True,
            help=f"Held-out image→text recall@10. Chance: {retrieval.chance_image_to_text[10]:.3f}; "
                 f"the untrained (random-init) model: {bundle.init_retrieval.image_to_text[10]:.3f}")
page.metric("R@10 text→image", f"{retrieval.text_to_image[10]:.2f}", container=cols[1], headline=True,
            help=f"Held-out text→image recall@10. Chance: {retrieval.chance_text_to_image[10]:.3f}; "
                 f"the untrained (random-init) model: {bundle.init_retrieval.text_to_image[10]:.3f}")
floor = clip_training.loss_floor(batch, record.temperature[-1])
page.metric("Held-out loss", f"{record.heldout_loss[-1]:.3f}", container=cols[2],
            help=f"nats; a model that cannot tell pairs apart scores ln B = {math.log(batch):.3f}; "
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
                "temperature and the loss curve)."))

# ---- training curve ---------------------------------------------------------------------
st.subheader("Training")
steps_per_epoch = len(record.step_loss) // len(record.epoch_loss)
fig = go.Figure()
fig.add_scatter(x=np.arange(1, len(record.step_loss) + 1) / steps_per_epoch, y=record.step_loss,
                mode="lines", name="train loss (per step)", line=dict(width=1), opacity=0.5)
fig.add_scatter(x=np.arange(1, len(record.epoch_loss) + 1) - 0.5, y=record.epoch_loss, mode="lines+markers",
                name="train loss (epoch mean)")
fig.add_scatter(x=np.arange(1, len(record.heldout_loss) + 1), y=record.heldout_loss,
                mode="lines+markers", name="held-out loss")
fig.add_hline(y=math.log(batch), line_dash="dash", annotation_text=f"ln B = {math.log(batch):.2f} (chance)")
fig.add_hline(y=floor, line_dash="dot", line_color="green",
              annotation_text=f"floor {floor:.2f} (perfect model at τ = {record.temperature[-1]:.3g})")
fig.update_layout(title="Symmetric InfoNCE loss (nats per pair)", xaxis_title="epoch",
                  yaxis_title="loss", height=340, legend_orientation="h")
left, right = st.columns([3, 2])
page.chart(fig, container=left)
if settings.learn_temperature:
    tfig = go.Figure(go.Scatter(x=np.arange(0, len(record.temperature) + 1),
                                y=[temperature, *record.temperature], mode="lines+markers"))
    tfig.update_layout(title="Learned temperature τ", xaxis_title="epoch", yaxis_title="τ", height=340)
    page.chart(tfig, container=right)
else:
    names = [f"recall@{k}" for k in clip_metrics.KS]
    rfig = go.Figure()
    rfig.add_bar(x=names, y=[retrieval.image_to_text[k] for k in clip_metrics.KS], name="image → text")
    rfig.add_bar(x=names, y=[retrieval.text_to_image[k] for k in clip_metrics.KS], name="text → image")
    rfig.add_bar(x=names, y=[bundle.init_retrieval.image_to_text[k] for k in clip_metrics.KS],
                 name="untrained, image → text", marker_color="lightgrey")
    rfig.add_scatter(x=names, y=[retrieval.chance_image_to_text[k] for k in clip_metrics.KS],
                     mode="markers", marker_symbol="line-ew-open", marker_size=30, name="chance")
    rfig.update_layout(title="Held-out recall@k, both directions", yaxis_range=[0, 1], height=340,
                       legend_orientation="h")
    page.chart(rfig, container=right, hero=True)
page.record("Final temperature", f"{record.temperature[-1]:.4f}")
init = bundle.init_retrieval
table = pd.DataFrame({
    "k": list(clip_metrics.KS),
    "image → text": [retrieval.image_to_text[k] for k in clip_metrics.KS],
    "text → image": [retrieval.text_to_image[k] for k in clip_metrics.KS],
    "untrained i → t": [init.image_to_text[k] for k in clip_metrics.KS],
    "untrained t → i": [init.text_to_image[k] for k in clip_metrics.KS],
    "chance": [retrieval.chance_image_to_text[k] for k in clip_metrics.KS],
})
st.dataframe(table.style.format({c: "{:.3f}" for c in table.columns[1:]}), hide_index=True)
for k in clip_metrics.KS:
    page.record(f"recall@{k} image→text / text→image",
                f"{retrieval.image_to_text[k]:.3f} / {retrieval.text_to_image[k]:.3f}")

# ---- search -----------------------------------------------------------------------------
st.subheader("Cross-modal search over the held-out set")
k_show = page.slider("k", "Results to show", 1, 20, 8)
tab_text, tab_image = st.tabs(["Text → images", "Image → captions"])
with tab_text:
    query = page.text("query", "Free-text query", "two large red circles on the left", container=tab_text)
    if not query.strip():
        st.warning("Type a query (for example “three small blue squares at the top”) to search the images.")
    else:
        q_emb = clip_training.embed(record.model, text_features=text_features((query,)))[0]
        idx, scores = clip_metrics.top_k(q_emb, img_emb, k_show)
        st.caption(f"Top {len(idx)} of {len(test)} held-out images for “{escape_md(query[:120])}”; "
                   "the caption under each image is its true caption, for checking.")
        st.image([enlarge(test.images[i]) for i in idx],
                 caption=[f"{s:.2f} · {test.captions[i]}" for i, s in zip(idx, scores)], width=120)
with tab_image:
    pick = page.number("image", "Held-out image #", 0, len(test) - 1, 0, step=1, container=tab_image)
    a, b = st.columns([1, 3])
    a.image(enlarge(test.images[pick], 3), caption=f"true: {test.captions[pick]}")
    idx, scores = clip_metrics.top_k(img_emb[pick], txt_emb, k_show)
    b.dataframe(pd.DataFrame({
        "rank": np.arange(1, len(idx) + 1),
        "caption": [test.captions[i] for i in idx],
        "cosine": np.round(scores, 3),
        "same scene": ["✓" if keys[i] == keys[pick] else "" for i in idx],
    }), hide_index=True)

# ---- zero-shot --------------------------------------------------------------------------
st.subheader("Zero-shot classification")
template = page.text("template", "Prompt template ({} is replaced by the class)", clip_metrics.DEFAULT_TEMPLATE)


def zero_shot_accuracies() -> dict:
    """Held-out zero-shot accuracy per attribute with the typed prompt template."""
    accuracy = {}
    for j, attribute in enumerate(clip_data.ATTRIBUTES):
        prompts = clip_metrics.class_prompts(attribute, template)
        prompt_emb = clip_training.embed(record.model, text_features=text_features(tuple(prompts)))
        accuracy[attribute] = clip_metrics.zero_shot_accuracy(img_emb, prompt_emb, test.labels[:, j])[0]
    return accuracy


zero_shot = page.guard(zero_shot_accuracies) or {}
if zero_shot:
    attrs = list(zero_shot)
    zfig = go.Figure()
    zfig.add_bar(x=attrs, y=[zero_shot[a] for a in attrs], name="zero-shot accuracy",
                 text=[f"{zero_shot[a]:.2f}" for a in attrs], textposition="outside")
    zfig.add_scatter(x=attrs, y=[1 / len(clip_data.ATTRIBUTES[a]) for a in attrs], mode="markers",
                     marker_symbol="line-ew-open", marker_size=40, name="chance (1 / classes)")
    zfig.update_layout(title=f"Zero-shot accuracy on {len(test)} held-out images "
                             f"(prompts like “{chart_text(clip_metrics.class_prompts('colour', template)[0])}”)",
                       yaxis_range=[0, 1.1], height=340, legend_orientation="h")
    page.chart(zfig)
    page.metric("Zero-shot colour accuracy", f"{zero_shot['colour']:.2f}",
                help=f"chance {1 / len(clip_data.COLOURS):.2f}")
    lift = {a: zero_shot[a] - 1 / len(clip_data.ATTRIBUTES[a]) for a in attrs}
    weakest = min(lift, key=lift.get)
    st.caption(f"Weakest attribute: **{weakest}** ({zero_shot[weakest]:.2f} against chance "
               f"{1 / len(clip_data.ATTRIBUTES[weakest]):.2f}). The contrastive loss only rewards features "
               "that tell a pair from its in-batch negatives; when other cues already separate almost "
               "every negative, this one is learned last (feature suppression). The usual remedies are "
               "hard negatives (scenes that differ only in this attribute), more data and a stronger "
               "image tower.")
    for a in attrs:
        page.record(f"zero-shot accuracy ({a})", f"{zero_shot[a]:.3f}")

# ---- modality gap -----------------------------------------------------------------------
st.subheader("The modality gap")
gap = clip_metrics.modality_gap(img_emb, txt_emb)
coords, share = bundle.pca
n = len(img_emb)
gfig = go.Figure()
gfig.add_scatter(x=coords[:n, 0], y=coords[:n, 1], mode="markers", name="images",
                 marker=dict(size=5, opacity=0.6), text=test.captions, hoverinfo="text")
gfig.add_scatter(x=coords[n:, 0], y=coords[n:, 1], mode="markers", name="captions",
                 marker=dict(size=5, opacity=0.6, symbol="x"), text=test.captions, hoverinfo="text")
gfig.add_scatter(x=[coords[:n, 0].mean(), coords[n:, 0].mean()], y=[coords[:n, 1].mean(), coords[n:, 1].mean()],
                 mode="markers+lines", name="centroids", marker=dict(size=14, color="black", symbol="diamond"))
gfig.update_layout(title=f"PCA of held-out image and caption embeddings (PC1 {share[0]:.0%}, PC2 {share[1]:.0%})",
                   height=420, xaxis_title="PC1", yaxis_title="PC2")
page.chart(gfig)
close_gap = page.toggle("close_gap", "Close the gap (subtract each modality's centroid)", False)
mixed = bundle.mixed[close_gap]
c0, c1, c2 = st.columns(3)
page.metric("Gap at initialisation", f"{bundle.init_gap:.3f}", container=c0,
            help="The same towers before training: random networks already map the two modalities "
                 "to different regions (each tower has its own 'cone').")
page.metric("Modality gap ‖μ_img − μ_txt‖", f"{gap:.3f}", container=c1)
page.metric("Images in a mixed index's top 10 (text queries)", f"{mixed:.0%}", container=c2,
            help="Captions and images in one index, searched with each caption: half would be "
                 "images if the modalities were interchangeable.")
st.caption("Ranking text→image or image→text is unchanged by the gap (it shifts every score of a "
           "query by the same amount), but a single index mixing both modalities is biased towards "
           "the query's own modality.")

# ---- real CLIP weights ------------------------------------------------------------------
with st.expander("Use real CLIP weights from disk (optional)"):
    path = server_path_input("clip_path", "Folder with CLIP weights (transformers or open_clip format)",
                             page.hosted, container=st.container())
    st.caption("Nothing is downloaded. A transformers folder has config.json (model_type clip), "
               "model.safetensors or pytorch_model.bin and tokenizer files; an open_clip folder has "
               "open_clip_config.json and open_clip_pytorch_model.bin (needs open_clip_torch).")
    if path:
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

# ---- the math ---------------------------------------------------------------------------
tau_now = record.temperature[-1]
page.math([
    r"\mathcal{L} = \tfrac12\Big[-\tfrac1B\sum_i \log\frac{e^{\langle u_i, v_i\rangle/\tau}}{\sum_j e^{\langle u_i, v_j\rangle/\tau}}"
    r" - \tfrac1B\sum_i \log\frac{e^{\langle u_i, v_i\rangle/\tau}}{\sum_j e^{\langle u_j, v_i\rangle/\tau}}\Big]"
    rf" = {record.heldout_loss[-1]:.3f}\ \text{{(held out)}}",
    rf"B = {batch},\quad \tau = {tau_now:.4f},\quad \ln B = {math.log(batch):.3f}\ \text{{(every score equal: pairs not told apart)}}",
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
