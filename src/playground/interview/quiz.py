"""The final quiz: a bank of multiple-choice and numeric questions over every lesson, a seeded draw,
grading with tolerances, and a per-lesson score breakdown."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from playground.interview.quiz_bank import MULTIPLE_CHOICE
from playground.interview.quiz_numeric import NUMERIC


@dataclass(frozen=True)
class Question:
    """One quiz question as the learner sees it.

    ``kind`` is ``"choice"`` (``options`` holds the choices, ``answer`` the correct one) or
    ``"numeric"`` (``answer`` is the number computed by the core, accepted within ``tolerance``,
    relative).
    """

    id: str
    lesson_id: str
    kind: str
    prompt: str
    explanation: str
    answer: str | float
    options: tuple[str, ...] = ()
    unit: str = ""
    tolerance: float = 0.0


@lru_cache(maxsize=1)
def bank() -> tuple[Question, ...]:
    """Every question, options in their authored order (the correct one first)."""
    questions = [
        Question(f"mc{i:03d}", lesson_id, "choice", prompt, explanation, correct, (correct, *wrong))
        for i, (lesson_id, prompt, correct, wrong, explanation) in enumerate(MULTIPLE_CHOICE)
    ]
    questions += [
        Question(f"num{i:03d}", q.lesson_id, "numeric", q.prompt, q.explanation, float(q.compute()),
                 unit=q.unit, tolerance=q.tolerance)
        for i, q in enumerate(NUMERIC)
    ]
    return tuple(questions)


def draw(n: int, seed: int, lessons: set[str] | None = None) -> list[Question]:
    """Draw ``n`` questions (without replacement) and shuffle each one's options, by ``seed``.

    Raises ``ValueError`` when fewer than ``n`` questions match ``lessons``.
    """
    pool = [q for q in bank() if lessons is None or q.lesson_id in lessons]
    if n < 1:
        raise ValueError("draw at least one question")
    if n > len(pool):
        raise ValueError(f"only {len(pool)} questions cover the chosen lessons; asked for {n}")
    rng = np.random.default_rng(seed)
    picked = [pool[i] for i in rng.choice(len(pool), size=n, replace=False)]
    out = []
    for q in picked:
        if q.kind == "choice":
            q = Question(q.id, q.lesson_id, q.kind, q.prompt, q.explanation, q.answer,
                         tuple(q.options[i] for i in rng.permutation(len(q.options))))
        out.append(q)
    return out


def is_correct(question: Question, response) -> bool:
    """Grade one response (None means unanswered, which is wrong)."""
    if response is None:
        return False
    if question.kind == "choice":
        return response == question.answer
    try:
        value = float(response)
    except (TypeError, ValueError):
        return False
    if not np.isfinite(value):
        return False
    target = float(question.answer)
    return abs(value - target) <= max(question.tolerance * abs(target), 1e-9)


@dataclass(frozen=True)
class QuizScore:
    """Correct answers overall and per lesson, and the questions answered wrongly."""

    correct: int
    total: int
    by_lesson: pd.DataFrame
    mistakes: tuple[tuple[Question, object], ...]

    @property
    def share(self) -> float:
        return self.correct / self.total if self.total else 0.0


def score(questions: list[Question], responses: dict[str, object]) -> QuizScore:
    """Score ``responses`` (question id -> answer) against ``questions``."""
    rows = [(q.lesson_id, is_correct(q, responses.get(q.id))) for q in questions]
    frame = pd.DataFrame(rows, columns=["lesson", "correct"])
    by_lesson = (frame.groupby("lesson")["correct"].agg(["sum", "count"])
                 .rename(columns={"sum": "correct", "count": "asked"}).reset_index())
    mistakes = tuple((q, responses.get(q.id)) for q, (_, ok) in zip(questions, rows) if not ok)
    return QuizScore(int(frame["correct"].sum()), len(questions), by_lesson, mistakes)
