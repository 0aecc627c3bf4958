"""The interview readiness page: mock rounds, rehearse mode, quiz scoring and the cheat sheet."""

from playground.interview import quiz

from .apptest import metric, open_page


def _answer(at, questions, right: bool):
    for q in questions:
        if q.kind == "choice":
            wrong = next(o for o in q.options if o != q.answer)
            at.radio(key=f"ans_{q.id}").set_value(q.answer if right else wrong)
        else:
            at.number_input(key=f"ans_{q.id}").set_value(q.answer if right else q.answer * 3 + 1)
    next(b for b in at.button if b.label == "Submit answers").click()
    return at.run()


def test_mock_round_shows_the_model_answer_and_the_clock():
    at = open_page("ir")
    assert not at.exception
    text = " ".join(e.label for e in at.expander)
    assert "00:00 · Step 1" in text and "Step 6" in text
    assert any("Candidate" in m.value for m in at.markdown)


def test_rehearse_mode_hides_then_reveals_the_model_answer():
    at = open_page("ir", {"rehearse": "1", "round": "rag"})
    assert not at.exception
    assert not any("**Model answer**" in m.value for m in at.markdown)
    assert len(at.text_area) == 6
    at.text_area[0].input("Clarify: corpus size, QPS").run()
    at.checkbox(key="reveal_rag").check().run()
    assert any("**Model answer**" in m.value for m in at.markdown)
    assert at.text_area[0].value == "Clarify: corpus size, QPS"


def test_quiz_all_right_scores_full_marks():
    at = open_page("ir", {"seed": "7", "n": "12"})
    questions = quiz.draw(12, 7)
    at = _answer(at, questions, right=True)
    assert not at.exception
    assert metric(at, "Quiz score") == "12 / 12 (100%)"


def test_quiz_mistakes_are_reviewed_with_explanations():
    at = open_page("ir", {"seed": "2", "n": "5", "lessons": "l06,l10"})
    questions = quiz.draw(5, 2, {"l06", "l10"})
    at = _answer(at, questions, right=False)
    assert metric(at, "Quiz score") == "0 / 5 (0%)"
    review = " ".join(m.value for m in at.markdown)
    assert all(q.explanation in review for q in questions)


def test_quiz_asking_for_more_questions_than_the_lessons_hold_is_a_clear_error():
    at = open_page("ir", {"n": "30", "lessons": "l00"})
    assert not at.exception
    assert any("only" in e.value and "questions" in e.value for e in at.error)


def test_cheat_sheet_is_downloadable():
    at = open_page("ir")
    assert any(t.label == "Cheat sheet" for t in at.tabs)
    assert at.get("download_button")
