"""Regenerate the lesson-15 image–caption data set (data/samples/clip/).

    python scripts/build_clip_data.py            # 3000 pairs, seed 0 (what ships)
    python scripts/build_clip_data.py --n 500 --seed 1 --out /tmp/clip
    python scripts/build_clip_data.py --features  # only the shipped caption vectors (MiniLM, ~10 s)

Deterministic: the same --n and --seed write the same images, captions and split; --features
writes the packaged MiniLM's float16 vectors of the shipped captions, the default query and the
zero-shot prompts, keyed by the model's digest (rerun it when the model package changes).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playground import embeddings
from playground.cases import clip_data, clip_model

SHIPPED_N = 3000
SHIPPED_SEED = 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=SHIPPED_N, help="number of image-caption pairs")
    parser.add_argument("--seed", type=int, default=SHIPPED_SEED)
    parser.add_argument("--out", type=Path, default=clip_data.DATA_DIR)
    parser.add_argument("--features", action="store_true", help="write only caption_features.npz")
    args = parser.parse_args()
    if args.features:
        embeddings.offline()
        n = clip_model.write_shipped_features()
        size = clip_model.SHIPPED_FEATURES.stat().st_size
        print(f"wrote {n} text vectors to {clip_model.SHIPPED_FEATURES} ({size:,} bytes)")
        return
    data = clip_data.generate(args.n, seed=args.seed)
    clip_data.save(data, args.out)
    sizes = {p.name: p.stat().st_size for p in sorted(args.out.iterdir()) if p.is_file()}
    print(f"wrote {len(data)} pairs ({(data.split == 'test').sum()} held out) to {args.out}: {sizes}")


if __name__ == "__main__":
    main()
