"""Lesson 15: real CLIP weights from a local folder (transformers or open_clip format), offline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from playground.cases import clip_metrics

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "open_clip_pytorch_model.bin",
                "open_clip_model.safetensors")
CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)


def check_clip_path(path: str) -> tuple[Path, str]:
    """Validate a folder of real CLIP weights; return (folder, ``"transformers"`` or ``"open_clip"``).

    Raises ``ValueError`` saying what is wrong: empty path, no folder, no weight file, or a
    config that is not a CLIP model.
    """
    typed = str(path).strip()
    if not typed:
        raise ValueError("the CLIP weights path is empty")
    folder = Path(typed).expanduser()
    typed = typed[:200]  # messages repeat what was typed, never the expanded path or file content
    try:
        weights = [name for name in WEIGHT_FILES if (folder / name).is_file()]
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        weights = []
    if not weights:  # the same message whether the folder is missing or has no weights
        raise ValueError(f"no CLIP weights folder at {typed} (expected one of {', '.join(WEIGHT_FILES)})")
    if (folder / "open_clip_config.json").is_file() or weights[0].startswith("open_clip"):
        return folder, "open_clip"
    try:
        model_type = json.loads((folder / "config.json").read_text(encoding="utf-8")).get("model_type", "")
    except (OSError, ValueError, AttributeError):
        raise ValueError(f"{typed} has CLIP weights but no readable config.json") from None
    if model_type != "clip":
        raise ValueError(f"{typed}: config.json does not declare a CLIP model (model_type clip)")
    return folder, "transformers"


class RealClip:
    """Real CLIP weights (transformers or open_clip format) behind the same two encode calls."""

    def __init__(self, path: str) -> None:
        folder, kind = check_clip_path(path)
        self.folder, self.kind = folder, kind
        if kind == "transformers":
            from transformers import AutoTokenizer, CLIPModel

            try:
                self.model = CLIPModel.from_pretrained(str(folder), local_files_only=True).eval()
                self.tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
            except Exception as err:  # noqa: BLE001 - any loader failure (corrupt weights, no tokenizer) becomes a message
                raise ValueError(f"could not load CLIP from {folder.name} ({type(err).__name__}): its weights "
                                 "or tokenizer files are missing, truncated or not safe to load") from None
            self.image_size = int(self.model.config.vision_config.image_size)
        else:
            try:
                import open_clip
            except ImportError as err:
                raise ValueError(f"{folder} holds open_clip weights, but the open_clip_torch package "
                                 "is not installed (pip install open_clip_torch)") from err
            try:
                self.model, _ = open_clip.create_model_from_pretrained(f"local-dir:{folder}")
                self.tokenizer = open_clip.get_tokenizer(f"local-dir:{folder}")
            except Exception as err:  # noqa: BLE001 - any loader failure becomes a message
                raise ValueError(f"could not load open_clip weights from {folder.name} ({type(err).__name__}): "
                                 "its files are missing, truncated or not safe to load") from None
            self.model.eval()
            self.image_size = int(self.model.visual.image_size[0]
                                  if isinstance(self.model.visual.image_size, (tuple, list))
                                  else self.model.visual.image_size)

    def _pixels(self, images: np.ndarray) -> torch.Tensor:
        from PIL import Image

        size = self.image_size
        resized = np.stack([np.asarray(Image.fromarray(img).resize((size, size), Image.BICUBIC))
                            for img in images]).astype(np.float32) / 255.0
        return torch.from_numpy((resized - CLIP_MEAN) / CLIP_STD).permute(0, 3, 1, 2).contiguous()

    def encode_images(self, images: np.ndarray, batch: int = 32) -> np.ndarray:
        """Unit-norm image embeddings of uint8 ``(n, H, W, 3)`` images."""
        out = []
        with torch.no_grad():
            for start in range(0, len(images), batch):
                pixels = self._pixels(images[start:start + batch])
                if self.kind == "transformers":
                    vec = self.model.get_image_features(pixel_values=pixels)
                else:
                    vec = self.model.encode_image(pixels)
                out.append(F.normalize(_tensor(vec), dim=-1))
        return torch.cat(out).numpy().astype(np.float32)

    def encode_texts(self, texts: list[str], batch: int = 64) -> np.ndarray:
        """Unit-norm text embeddings."""
        out = []
        with torch.no_grad():
            for start in range(0, len(texts), batch):
                chunk = list(texts[start:start + batch])
                if self.kind == "transformers":
                    tokens = self.tokenizer(chunk, padding=True, truncation=True, return_tensors="pt",
                                            max_length=self.model.config.text_config.max_position_embeddings)
                    vec = self.model.get_text_features(**tokens)
                else:
                    vec = self.model.encode_text(self.tokenizer(chunk))
                out.append(F.normalize(_tensor(vec), dim=-1))
        return torch.cat(out).numpy().astype(np.float32)


def _tensor(output) -> torch.Tensor:
    """transformers may return a tensor or a model output holding the pooled embeddings."""
    if isinstance(output, torch.Tensor):
        return output
    for name in ("image_embeds", "text_embeds", "pooler_output"):
        value = getattr(output, name, None)
        if isinstance(value, torch.Tensor):
            return value
    raise ValueError("the CLIP model returned no embeddings")


def heldout_scores(model: RealClip, images: np.ndarray, captions: list[str], colour_labels: np.ndarray,
                   scene_keys: np.ndarray) -> tuple:
    """Score loaded CLIP weights on held-out pairs: (recall@k both ways, zero-shot colour accuracy
    with the default template, modality gap)."""
    i_emb, t_emb = model.encode_images(images), model.encode_texts(captions)
    prompts = clip_metrics.class_prompts("colour", clip_metrics.DEFAULT_TEMPLATE)
    acc = clip_metrics.zero_shot_accuracy(i_emb, model.encode_texts(prompts), colour_labels)[0]
    return clip_metrics.evaluate(i_emb, t_emb, scene_keys), acc, clip_metrics.modality_gap(i_emb, t_emb)
