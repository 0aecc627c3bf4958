"""Lesson 15 benchmark: caption encoding, dual-encoder training at the page defaults, held-out
quality, and the page's cold render and rerun time. Writes docs/bench/clip.md.

    python -m bench.clip
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "app"), str(ROOT)]

from bench import machine  # noqa: E402
from playground import embeddings  # noqa: E402
from playground.cases import clip_data, clip_metrics, clip_model, clip_training  # noqa: E402

embeddings.offline()


def main() -> None:
    load_before = os.getloadavg()[0]
    data = clip_data.load()
    train, test = data.subset("train"), data.subset("test")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:  # cold: no on-disk cache
        embeddings.CACHE_DIR, saved = Path(tmp), embeddings.CACHE_DIR
        clip_model.caption_features(train.captions + test.captions, persist=True)
        embeddings.CACHE_DIR = saved
    encode_s = time.perf_counter() - t0
    ftr, fte = (clip_model.caption_features(train.captions, persist=True),
                clip_model.caption_features(test.captions, persist=True))
    n_unique = len(set(train.captions + test.captions))

    rows = []
    settings_tried = (clip_training.TrainSettings(), clip_training.TrainSettings(temperature=1.0),
                      clip_training.TrainSettings(batch_size=8, epochs=2),
                      clip_training.TrainSettings(learn_temperature=True))
    prompt_features = clip_model.caption_features(clip_metrics.class_prompts("colour"), persist=True)
    for settings in settings_tried:
        record = clip_training.train(train.images, ftr, settings, heldout=(test.images, fte))
        img = clip_training.embed(record.model, images=test.images)
        txt = clip_training.embed(record.model, text_features=fte)
        ev = clip_metrics.evaluate(img, txt, test.scene_keys())
        prompts = clip_training.embed(record.model, text_features=prompt_features)
        acc = clip_metrics.zero_shot_accuracy(img, prompts, test.labels[:, 0])[0]
        rows.append((settings, record.seconds, ev, acc, clip_metrics.modality_gap(img, txt),
                     record.temperature[-1]))

    from bench.pages import open_page

    t0 = time.perf_counter()
    open_page("l15")
    cold = time.perf_counter() - t0
    reruns = []
    for _ in range(5):
        t0 = time.perf_counter()
        open_page("l15")
        reruns.append(time.perf_counter() - t0)

    lines = [
        "## Lesson 15: CLIP-style dual encoder (`bench/clip.py`)", "",
        f"Machine: {machine.describe()}; torch on {clip_model.TORCH_THREADS} thread(s) while training; "
        f"1-min load average {load_before:.1f} at the start and {os.getloadavg()[0]:.1f} at the end "
        "(the box is shared: times scale with the load).", "",
        f"- MiniLM encoding of the {n_unique} distinct captions (cold, then cached on disk): {encode_s:.1f} s",
        f"- Page cold render at defaults (AppTest, trains once, MiniLM vectors already on disk): {cold:.1f} s",
        f"- Page rerun with the model cached (median of 5): {statistics.median(reruns):.2f} s", "",
        f"Training on {len(train)} pairs, evaluated on {len(test)} held-out pairs (chance recall@10 "
        f"≈ {rows[0][2].chance_image_to_text[10]:.3f}):", "",
        "| settings | train s | R@1 i→t | R@10 i→t | R@1 t→i | R@10 t→i | zero-shot colour | gap | final τ |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s, seconds, ev, acc, gap, tau in rows:
        name = (f"{s.epochs} ep, B={s.batch_size}, d={s.dim}, τ={s.temperature:g}"
                + (" learned" if s.learn_temperature else ""))
        lines.append(f"| {name} | {seconds:.1f} | {ev.image_to_text[1]:.3f} | {ev.image_to_text[10]:.3f} | "
                     f"{ev.text_to_image[1]:.3f} | {ev.text_to_image[10]:.3f} | {acc:.3f} | {gap:.3f} | {tau:.4f} |")
    machine.write_section("clip", lines)


if __name__ == "__main__":
    main()
