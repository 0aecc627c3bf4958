import math
from pathlib import Path

import pytest

from playground import course
from playground.interview import cheatsheet, quiz
from playground.interview.mock_rounds import ROUNDS
from playground.interview.quiz_numeric import NUMERIC

APP = Path(__file__).resolve().parents[2] / "app"
LESSON_IDS = {lesson.id for lesson in course.LESSONS if lesson.number is not None}


def test_bank_is_large_and_covers_every_lesson():
    bank = quiz.bank()
    assert len(bank) >= 60
    assert {q.lesson_id for q in bank} == LESSON_IDS
    assert len({q.id for q in bank}) == len(bank)


def test_every_choice_question_has_one_valid_answer():
    for q in quiz.bank():
        if q.kind == "choice":
            assert len(q.options) >= 3 and len(set(q.options)) == len(q.options), q.prompt
            assert q.options.count(q.answer) == 1
            assert q.explanation


@pytest.mark.parametrize("question", NUMERIC, ids=lambda q: q.prompt[:40])
def test_numeric_answer_from_the_core_matches_the_hand_worked_value(question):
    value = question.compute()
    assert math.isfinite(value)
    assert value == pytest.approx(question.reference, rel=max(question.tolerance, 1e-4))


def test_every_link_points_at_a_registered_page():
    registered = {lesson.id for lesson in course.built_lessons(APP)}
    linked = {q.lesson_id for q in quiz.bank()}
    linked |= {lid for mock in ROUNDS.values() for step in mock.steps for lid in step.lessons}
    assert linked <= registered, f"links to pages that are not registered: {sorted(linked - registered)}"


def test_draw_is_seeded_and_shuffles_options():
    a, b = quiz.draw(20, seed=3), quiz.draw(20, seed=3)
    assert [q.id for q in a] == [q.id for q in b] and [q.options for q in a] == [q.options for q in b]
    assert [q.id for q in quiz.draw(20, seed=4)] != [q.id for q in a]
    choice = [q for q in quiz.draw(len(quiz.bank()), seed=1) if q.kind == "choice"]
    assert any(q.options[0] != q.answer for q in choice), "options are shuffled"
    assert {q.lesson_id for q in quiz.draw(5, seed=0, lessons={"l06"})} == {"l06"}
    with pytest.raises(ValueError):
        quiz.draw(1000, seed=0)


def test_grading_and_score_by_hand():
    questions = quiz.draw(len(quiz.bank()), seed=0)
    mc = next(q for q in questions if q.kind == "choice")
    num = next(q for q in questions if q.kind == "numeric" and q.answer > 1)
    assert quiz.is_correct(mc, mc.answer) and not quiz.is_correct(mc, None)
    assert not quiz.is_correct(mc, next(o for o in mc.options if o != mc.answer))
    assert quiz.is_correct(num, num.answer * (1 + num.tolerance / 2))
    assert not quiz.is_correct(num, num.answer * (1 + 3 * num.tolerance + 0.01))
    assert not quiz.is_correct(num, "abc") and not quiz.is_correct(num, float("nan"))
    result = quiz.score([mc, num], {mc.id: mc.answer})
    assert (result.correct, result.total) == (1, 2)
    assert result.mistakes[0][0] is num
    assert result.by_lesson["asked"].sum() == 2


def test_mock_rounds_walk_the_six_steps_in_45_minutes():
    for mock in ROUNDS.values():
        assert [s.step for s in mock.steps] == list(range(6))
        starts = [s.start_min for s in mock.steps]
        assert starts == sorted(starts) and starts[0] == 0 and starts[-1] < 45
        assert all(s.candidate and s.probes and s.l4 and s.l5 for s in mock.steps)


def test_cheat_sheet_consolidates_the_course_and_its_numbers_hold():
    sheet = cheatsheet.markdown()
    for lesson in course.LESSONS:
        assert lesson.label in sheet and lesson.l5[0] in sheet
    from playground.experiments import power as pw

    assert f"{pw.sample_size_per_arm(0.10, 0.01):,}" in sheet
    assert f"{round(100 * (1 - 0.99 ** 100))} %" in sheet
    assert 1e9 * 128 * 4 / 1e9 == 512 and "512 GB fp32" in sheet


def test_eta_quiz_answer_matches_the_lesson_14_core():
    """The mean-promise late share the quiz states ("about 2 in 5") is what lesson 14's core gives
    at the page's defaults (tail 1.0, rain 0.2, seed 0; fewer training trips to keep this quick)."""
    from playground.cases import eta

    question = next(q for q in quiz.bank() if "predicted mean ETA" in q.prompt)
    assert "2 in 5" in question.answer
    models = eta.fit_models(eta.simulate_trips(5000, seed=0, tail=1.0, rain=0.2), 0.9, seed=0)
    test = eta.simulate_trips(20000, seed=10_000, tail=1.0, rain=0.2)
    late = eta.scorecard(test["minutes"].to_numpy(), models.predict(test), 0.9).loc["mean", "late rate"]
    assert 0.33 <= late <= 0.47  # about 2 in 5, clearly fewer than half


def test_cheat_sheet_minilm_speed_is_the_benchmarked_one():
    import re

    bench = (APP.parent / "docs" / "bench" / "rag.md").read_text()
    passages = re.search(r"\*\*(\d+) passages/s\*\*", bench).group(1)
    queries = re.search(r"\((\d+) queries/s\)", bench).group(1)
    line = dict(cheatsheet.NUMBERS)["all-MiniLM-L6-v2 on 2 shared CPU cores (docs/BENCHMARKS.md)"]
    assert f"~{passages} documentation passages/s" in line and f"~{queries} short queries/s" in line
