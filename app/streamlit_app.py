"""Entry point: `streamlit run app/streamlit_app.py`.

Registers the home page and every lesson page whose file exists, grouped by course part.
"""

from pathlib import Path

import streamlit as st

from components.stage import stage_mode
from playground import course

APP_DIR = Path(__file__).parent

st.set_page_config(page_title="ML System Design Playground", page_icon="🧪", layout="wide",
                   initial_sidebar_state="collapsed" if stage_mode() else "auto")

sections: dict[str, list] = {"Start": [st.Page(str(APP_DIR / "home.py"), title="Course map", default=True)]}
for lesson in course.built_lessons(APP_DIR):
    sections.setdefault(lesson.part, []).append(
        st.Page(str(APP_DIR / lesson.page_file), title=lesson.label, url_path=lesson.slug[3:])
    )
st.navigation(sections).run()
