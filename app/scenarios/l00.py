"""Scenarios of lesson 0's page (The 6-step framework, app/lessons/00_framework.py): preset values for the
controls that page declares. The page passes them to ``LessonPage``; tests read them here."""

from playground.scenario import Preset
from playground.framework import PROMPTS, STEPS, checks

_DEFAULT_PROMPT = next(iter(PROMPTS))
PRESETS: tuple[Preset, ...] = (
    Preset("production", "Balanced round (L5)",
           "Budgets that add up to 45 minutes and every checklist item covered.",
           {"prompt": _DEFAULT_PROMPT, **{f"m_{s.key}": s.minutes for s in STEPS},
            **checks(_DEFAULT_PROMPT)}),
    Preset("naive", "Model-first round (L4)",
           "Thirty minutes on the model: serving, evaluation and monitoring never happen.",
           {"prompt": _DEFAULT_PROMPT, "m_s1": 1, "m_s2": 2, "m_s3": 4, "m_s4": 30, "m_s5": 5,
            "m_s6": 3, **checks(_DEFAULT_PROMPT, {"s1_0", "s4_0", "s4_1", "s4_2", "s4_3", "s4_4"})}),
    Preset("fraud_overrun", "Fraud prompt, over budget",
           "Budgets that add up to 55 minutes: the clock runs out before evaluation.",
           {"prompt": "Real-time payment fraud", "m_s1": 5, "m_s2": 8, "m_s3": 15, "m_s4": 15,
            "m_s5": 7, "m_s6": 5,
            **checks("Real-time payment fraud", {"s1_0", "s1_1", "s2_0", "s2_1", "s2_4", "s3_0", "s3_4"})}),
)
