"""How lessons 8 and 9 show corpus text: relevance marks in words (no emoji: a browser without a
colour-emoji font draws them as empty boxes) and identifiers in a safe code span."""

MARKS = {2: "**[answer]**", 1: "[related]", 0: "[not relevant]"}
"""Relevance grade of a labelled passage -> its mark."""


def code(text: str) -> str:
    """Corpus identifiers shown in a code span (no markdown inside; backticks removed)."""
    return text.replace("`", "'")
