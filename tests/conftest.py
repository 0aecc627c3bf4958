"""Shared test set-up: the app folder is importable (pages import `components`), and the embedding
model never reaches for the network."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
if str(ROOT / "app") not in sys.path:
    sys.path.insert(0, str(ROOT / "app"))
