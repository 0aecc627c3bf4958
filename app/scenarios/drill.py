"""Scenarios of the blank-whiteboard drill (app/lessons/17_whiteboard_drill.py): a reference board
to study and a model-first board that shows what grading catches."""

from playground import framework
from playground.drill import reference_values
from playground.scenario import Preset

_RECSYS = next(iter(framework.PROMPTS))
PRESETS: tuple[Preset, ...] = (
    Preset("reference", "Reveal: the reference recommender board",
           "The whole reference design on the right sides, every arrow drawn: full marks, L5.",
           reference_values(_RECSYS)),
    Preset("model_first", "A model-first board (L4)",
           "Two models and an index, the index drawn on the offline side, no data or monitoring: "
           "train/serve skew and rot go unnamed.",
           {"prompt": _RECSYS, "off": ["two_tower", "ranker", "ann_index"], "on": [], "both": [],
            "flows": ["two_tower>ann_index", "ann_index>ranker"]}),
)
