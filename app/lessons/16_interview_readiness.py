"""Interview readiness: two narrated mock rounds, the final quiz, the cheat sheet, the L4/L5 signals
across the course and the day-of playbook."""

from pathlib import Path

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from components.timer import interview_clock
from playground import course
from playground.interview import cheatsheet, quiz
from playground.interview.mock_rounds import PLAYBOOK, ROUNDS

APP_DIR = Path(__file__).resolve().parents[1]
BUILT = {lesson.id for lesson in course.built_lessons(APP_DIR)}

page = LessonPage("ir")
seed = page.seed()


def sandbox_links(lesson_ids, container=st) -> None:
    """Links to the sandboxes that demonstrate a step (only pages that exist)."""
    for lid in lesson_ids:
        lesson = course.lesson(lid)
        if lid in BUILT:
            container.page_link(lesson.page_file, label=f"Sandbox: {lesson.label}")


rounds_tab, quiz_tab, sheet_tab, grades_tab, playbook_tab = st.tabs(
    ["Mock rounds", "Final quiz", "Cheat sheet", "L4 vs L5 across the course", "Day-of playbook"])

# ---- mock rounds ------------------------------------------------------------------------------
with rounds_tab:
    key = page.select("round", "Mock round", list(ROUNDS), container=rounds_tab,
                      format_func=lambda k: ROUNDS[k].title)
    rehearse = page.toggle("rehearse", "Rehearse mode (hide the model answer, write your own)", False,
                           container=rounds_tab)
    mock = ROUNDS[key]
    st.markdown(f"**Prompt:** {mock.prompt}")
    starts = [s.start_min for s in mock.steps] + [45]
    budgets = [b - a for a, b in zip(starts, starts[1:])]
    interview_clock(f"ir_{key}", budgets, [s.name for s in mock.steps])
    plan = go.Figure(go.Bar(y=[s.name for s in mock.steps], x=budgets, base=starts[:-1], orientation="h",
                            text=[f"{s.start_min:02d}:00, {b} min" for s, b in zip(mock.steps, budgets)],
                            textposition="inside", insidetextanchor="start"))
    plan.update_layout(title=f"The round on the clock: {mock.title}", xaxis_title="minutes from the start",
                       xaxis_range=[0, 45], yaxis_autorange="reversed", height=300)
    page.chart(plan, hero=True)
    reveal = rehearse and st.checkbox("Reveal the model answers next to my notes", key=f"reveal_{key}")
    for i, step in enumerate(mock.steps):
        with st.expander(f"{step.start_min:02d}:00 · Step {step.step + 1}: {step.name}",
                         expanded=not rehearse and i == 0):  # the first step open, the rest one click away
            if rehearse:
                left, right = st.columns(2)
                left.text_area("Your notes", key=f"notes_{key}_{i}", height=150, max_chars=4000)
                if reveal:
                    right.markdown("**Model answer**\n" + "\n".join(f"- {c}" for c in step.candidate))
                else:
                    right.caption("Model answer hidden until you reveal it.")
            else:
                st.markdown("**Candidate**\n" + "\n".join(f"- {c}" for c in step.candidate))
                st.markdown("**Interviewer probes**\n" + "\n".join(f"- *{p}*" for p in step.probes))
            if not rehearse or reveal:
                st.markdown(f"**L4 stops at:** {step.l4}  \n**L5 adds:** {step.l5}")
            sandbox_links(step.lessons)

# ---- quiz -----------------------------------------------------------------------------------
with quiz_tab:
    lesson_ids = [lesson.id for lesson in course.LESSONS if lesson.number is not None]
    n_questions = page.slider("n", "Questions in the quiz", 1, 30, 10, container=quiz_tab)
    chosen = page.multiselect("lessons", "Lessons to cover (empty = all)", lesson_ids,
                              container=quiz_tab, format_func=lambda lid: course.lesson(lid).label)
    st.caption(f"The bank holds {len(quiz.bank())} questions over every lesson; numeric answers are "
               "computed by the core package and accepted within a stated tolerance. The seed in the "
               "sidebar picks the draw.")
    questions = page.guard(quiz.draw, n_questions, seed, set(chosen) or None) or []
    if questions:
        with st.form(f"quiz_{seed}_{n_questions}_{'-'.join(chosen)}"):
            for i, q in enumerate(questions, start=1):
                st.markdown(f"**Q{i}** ({course.lesson(q.lesson_id).label}). {q.prompt}")
                if q.kind == "choice":
                    st.radio("Answer", q.options, index=None, key=f"ans_{q.id}", label_visibility="collapsed")
                else:
                    st.number_input(f"Answer ({q.unit})" if q.unit else "Answer", value=None,
                                    format="%.6g", key=f"ans_{q.id}")
            submitted = st.form_submit_button("Submit answers")
        if submitted:
            st.session_state["_quiz_submitted"] = [q.id for q in questions]
        if st.session_state.get("_quiz_submitted") == [q.id for q in questions]:
            result = quiz.score(questions, {q.id: st.session_state.get(f"ans_{q.id}") for q in questions})
            page.metric("Quiz score", f"{result.correct} / {result.total} ({result.share:.0%})", headline=True)
            frame = result.by_lesson.assign(
                lesson=lambda d: d["lesson"].map(lambda lid: course.lesson(lid).label))
            fig = px.bar(frame, x="lesson", y=["correct", "asked"], barmode="group",
                         title="Score per lesson")
            page.chart(fig)
            if result.mistakes:
                st.subheader("Review your mistakes")
            for q, response in result.mistakes:
                answer = q.answer if q.kind == "choice" else f"{q.answer:.6g} {q.unit}".strip()
                st.markdown(f"**{q.prompt}**  \nYour answer: {response if response is not None else '—'}  \n"
                            f"Correct: **{answer}**  \n{q.explanation}")
                sandbox_links([q.lesson_id])

# ---- cheat sheet, grades, playbook ------------------------------------------------------------
with sheet_tab:
    sheet = cheatsheet.markdown()
    st.download_button("Download the cheat sheet (Markdown)", sheet, file_name="ml_system_design_cheatsheet.md",
                       mime="text/markdown", on_click="ignore")
    st.subheader("The 6-step framework")
    for i, step in enumerate(cheatsheet.framework.STEPS, start=1):
        st.markdown(f"{i}. **{step.name}** ({step.minutes} min): " + "; ".join(step.checklist))
    st.subheader("Key formulas")
    for lid, name, tex in cheatsheet.FORMULAS:
        st.markdown(f"**{name}** ({course.lesson(lid).label})")
        st.latex(tex)
    st.subheader("Numbers worth knowing")
    st.table({"what": [n for n, _ in cheatsheet.NUMBERS], "number": [v for _, v in cheatsheet.NUMBERS]})

with grades_tab:
    for part in course.PARTS:
        st.subheader(part)
        for lesson in (item for item in course.LESSONS if item.part == part):
            left, right = st.columns(2)
            left.markdown(f"**{lesson.label}: L4 ceiling**\n" + "\n".join(f"- {x}" for x in lesson.l4))
            right.markdown(f"**L5 signal**\n" + "\n".join(f"- {x}" for x in lesson.l5))

with playbook_tab:
    st.markdown("\n".join(f"{i}. {item}" for i, item in enumerate(PLAYBOOK, start=1)))

page.board(system=key)
page.finish()
