"""Home: the course arc and a link to every lesson sandbox that exists."""

from pathlib import Path

import streamlit as st

from playground import course

APP_DIR = Path(__file__).parent
built = {lesson.id for lesson in course.built_lessons(APP_DIR)}

st.title("ML System Design Playground")
st.markdown(
    "Every lesson of the course has a sandbox: move a widget and watch a production ML system "
    "**break or hold**. Each page states the problem at its layer, lets you run the naive design "
    "and the production design on the same data, shows the math with the numbers on screen, and "
    "ends with what the interviewer grades (L4 ceiling vs L5 signal)."
)
st.info(
    "Everything runs offline on a laptop CPU. Pages share a seed widget: the same inputs give the "
    "same outputs. Any scenario can be shared as a link from the sidebar."
)
st.metric("Sandboxes built", f"{len(built)} of {len(course.LESSONS)}")
for part in course.PARTS:
    st.subheader(part)
    for lesson in (item for item in course.LESSONS if item.part == part):
        if lesson.id in built:
            st.page_link(lesson.page_file, label=f"{lesson.label} — without it: {lesson.breaks}")
        else:
            st.markdown(f"- {lesson.label} — *sandbox not built yet*")
