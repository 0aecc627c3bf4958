"""Scenarios of lesson 15's page (Multimodal search (CLIP-style), app/lessons/15_multimodal_clip.py): preset values for the
controls that page declares. The page passes them to ``LessonPage``; tests read them here."""

from playground.scenario import Preset

PRESETS: tuple[Preset, ...] = (
    Preset("production", "Production: τ = 0.07, batch 64",
           "A sharp temperature and a decent batch: held-out recall@10 is far above chance in both "
           "directions.",
           {"temperature": "0.07", "batch": 64, "dim": 32, "epochs": 6, "learn_t": "fixed"}),
    Preset("naive", "Naive: τ = 1",
           "Logits are raw cosines in [-1, 1]: even a perfect model cannot push the loss below "
           "ln(1 + (B - 1)·e^(-(1 + 1/(B - 1)))), the gradient stops separating near-identical scenes "
           "and recall@1 falls well below the production setting. The towers still align far above "
           "chance, so the verdict stays green: the failure is at the top of the ranking.",
           {"temperature": "1", "batch": 64, "dim": 32, "epochs": 6, "learn_t": "fixed"}),
    Preset("tiny_batch", "Failure: batch of 8",
           "Seven negatives per pair, rarely a near-identical scene among them: the model never "
           "learns the fine distinctions and held-out recall@1 drops sharply, even with more steps.",
           {"temperature": "0.07", "batch": 8, "dim": 32, "epochs": 2, "learn_t": "fixed"}),
    Preset("learned_t", "Learned temperature",
           "τ starts at 0.07 and is trained with the towers, as in CLIP; watch it move in the "
           "training curve.",
           {"temperature": "0.07", "batch": 64, "dim": 32, "epochs": 6, "learn_t": "learned"}),
)
