"""Lesson 15 data: the seeded scene generator, its captions and the shipped sample."""

from __future__ import annotations

import json
from itertools import combinations

import numpy as np
import pytest

from playground.cases import clip_data


def test_generator_is_deterministic_by_seed():
    a, b, c = clip_data.generate(40, seed=3), clip_data.generate(40, seed=3), clip_data.generate(40, seed=4)
    assert np.array_equal(a.images, b.images) and a.captions == b.captions
    assert np.array_equal(a.labels, b.labels) and np.array_equal(a.split, b.split)
    assert not np.array_equal(a.images, c.images)


def test_captions_state_the_drawn_attributes():
    data = clip_data.generate(60, seed=5)
    names = list(clip_data.ATTRIBUTES)
    for i, caption in enumerate(data.captions):
        attrs = {n: clip_data.ATTRIBUTES[n][data.labels[i, j]] for j, n in enumerate(names)}
        words = caption.lower().replace(",", "").split()
        assert attrs["colour"] in words and attrs["size"] in words
        assert clip_data.POSITION_PHRASE[attrs["position"]] in caption.lower()
        assert ("a" if attrs["count"] == "one" else attrs["count"]) in words
        img = data.images[i].astype(int)
        # the named colour is present: some pixel is within the jitter of the base colour
        base = np.array(clip_data.COLOURS[attrs["colour"]])
        assert (np.abs(img - base).max(axis=-1) <= 25).any()
        # and it is drawn in the named half of the canvas only
        ys, xs = np.nonzero((np.abs(img - base).max(axis=-1) <= 25))
        half = clip_data.IMAGE_SIZE // 2
        inside = {"left": xs < half, "right": xs >= half, "top": ys < half, "bottom": ys >= half}
        assert inside[attrs["position"]].all()


def test_shipped_data_regenerates_from_its_seed():
    shipped = clip_data.load()
    again = clip_data.generate(len(shipped), seed=0)
    assert np.array_equal(shipped.images, again.images)
    assert shipped.captions == again.captions
    assert np.array_equal(shipped.labels, again.labels) and np.array_equal(shipped.split, again.split)
    lines = [json.loads(x) for x in (clip_data.DATA_DIR / "captions.jsonl").read_text().splitlines()]
    assert [x["caption"] for x in lines] == shipped.captions
    assert lines[5]["colour"] == clip_data.ATTRIBUTES["colour"][shipped.labels[5, 0]]
    assert (shipped.split == "test").sum() == 600


def test_generator_and_loader_reject_bad_input(tmp_path):
    with pytest.raises(ValueError, match="at least 10"):
        clip_data.generate(3)
    with pytest.raises(ValueError, match="between 0 and 1"):
        clip_data.generate(20, test_share=1.0)
    with pytest.raises(ValueError, match="no image"):
        clip_data.load(tmp_path)


def test_scene_keys_equal_iff_attributes_equal():
    data = clip_data.generate(80, seed=6)
    keys = data.scene_keys()
    for i, j in combinations(range(80), 2):
        assert (keys[i] == keys[j]) == bool((data.labels[i] == data.labels[j]).all())


def test_enlarge_repeats_each_pixel():
    image = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    big = clip_data.enlarge(image, 3)
    assert big.shape == (6, 6, 3)
    assert (big[0:3, 3:6] == image[0, 1]).all() and (big[3:6, 0:3] == image[1, 0]).all()
