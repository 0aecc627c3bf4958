"""Lesson 15: real CLIP weights from a local folder (a tiny random transformers CLIP)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from playground.cases import clip_data, clip_metrics, clip_pretrained


def tiny_clip_folder(folder):
    """A randomly initialised, tiny transformers CLIP with a character-level tokenizer."""
    from transformers import CLIPConfig, CLIPModel, CLIPTokenizer

    chars = [chr(c) for c in range(ord("a"), ord("z") + 1)] + list(",.'0123456789")
    vocab = {c: i for i, c in enumerate(chars)}
    vocab.update({c + "</w>": len(chars) + i for i, c in enumerate(chars)})
    vocab["<|startoftext|>"], vocab["<|endoftext|>"] = len(vocab), len(vocab) + 1
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = CLIPTokenizer(vocab=str(folder / "vocab.json"), merges=str(folder / "merges.txt"))
    text = dict(vocab_size=len(vocab), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                num_attention_heads=2, max_position_embeddings=77,
                bos_token_id=vocab["<|startoftext|>"], eos_token_id=vocab["<|endoftext|>"],
                pad_token_id=vocab["<|endoftext|>"])
    vision = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2,
                  image_size=32, patch_size=8)
    torch.manual_seed(0)
    CLIPModel(CLIPConfig(text_config=text, vision_config=vision, projection_dim=16)).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_clip_path_validation(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        clip_pretrained.check_clip_path("  ")
    # a missing folder, an impossible name and a folder without weights: one message, so the
    # check does not tell which folders exist on the server
    messages = set()
    for path in (tmp_path / "missing", "x" * 500, tmp_path, "a\x00b"):
        with pytest.raises(ValueError, match="no CLIP weights folder at") as err:
            clip_pretrained.check_clip_path(str(path))
        messages.add(str(err.value).replace(str(path)[:200], "PATH"))
    assert len(messages) == 1
    with pytest.raises(ValueError, match="no CLIP weights folder at ~/x") as err:
        clip_pretrained.check_clip_path("~/x")  # the typed text, not the expanded home directory
    assert str(Path.home()) not in str(err.value)
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(ValueError, match="no readable config.json"):
        clip_pretrained.check_clip_path(str(tmp_path))
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "secret-token-123"}))
    with pytest.raises(ValueError, match="does not declare a CLIP model") as err:
        clip_pretrained.check_clip_path(str(tmp_path))
    assert "secret-token-123" not in str(err.value)  # never echoes the file's content
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "clip"}))
    assert clip_pretrained.check_clip_path(str(tmp_path)) == (tmp_path, "transformers")
    with pytest.raises(ValueError, match="could not load CLIP"):
        clip_pretrained.RealClip(str(tmp_path))  # empty weights file


def test_real_clip_transformers_folder_encodes_both_modalities(tmp_path):
    from transformers import CLIPModel

    folder = tiny_clip_folder(tmp_path)
    model = clip_pretrained.RealClip(str(folder))
    data = clip_data.generate(12, seed=1)
    img, txt = model.encode_images(data.images), model.encode_texts(data.captions)
    assert img.shape == txt.shape == (12, 16)
    np.testing.assert_allclose(np.linalg.norm(txt, axis=1), 1, atol=1e-5)
    # same text vectors as calling the transformers model directly
    direct = CLIPModel.from_pretrained(str(folder)).eval()
    tokens = model.tokenizer(data.captions, padding=True, return_tensors="pt")
    with torch.no_grad():
        ref = torch.nn.functional.normalize(clip_pretrained._tensor(direct.get_text_features(**tokens)), dim=-1)
    np.testing.assert_allclose(txt, ref.numpy(), atol=1e-5)


def test_heldout_scores_agree_with_the_metrics_on_the_model_vectors(tmp_path):
    model = clip_pretrained.RealClip(str(tiny_clip_folder(tmp_path)))
    data = clip_data.generate(12, seed=1)
    retrieval, acc, gap = clip_pretrained.heldout_scores(model, data.images, data.captions, data.labels[:, 0],
                                                         data.scene_keys())
    img, txt = model.encode_images(data.images), model.encode_texts(data.captions)
    assert gap == pytest.approx(float(np.linalg.norm(img.mean(0) - txt.mean(0))), abs=1e-6)
    # zero-shot colour by brute force: the closest colour prompt per image
    prompts = model.encode_texts(clip_metrics.class_prompts("colour", clip_metrics.DEFAULT_TEMPLATE))
    expected = np.mean([np.argmax([float(i @ p) for p in prompts]) == label
                        for i, label in zip(img, data.labels[:, 0])])
    assert acc == pytest.approx(expected)
    assert 0 <= retrieval.image_to_text[10] <= 1
