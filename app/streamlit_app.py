"""Entry point: `streamlit run app/streamlit_app.py`.

Registers the home page and every lesson page whose file exists, grouped by course part, after
checking that the server runs with the repository's `.streamlit/config.toml` settings.
"""

import sys
import tomllib
from pathlib import Path

import streamlit as st

from components.background import viewing
from components.preload import preload
from components.stage import stage_mode
from playground import course, hosting

APP_DIR = Path(__file__).parent
CONFIG = APP_DIR.parent / ".streamlit" / "config.toml"

st.set_page_config(page_title="ML System Design Playground", page_icon="🧪", layout="wide",
                   initial_sidebar_state="collapsed" if stage_mode() else "auto")


@st.cache_resource(show_spinner=False)
def settings_drift() -> list[str]:
    """Apply the client settings of config.toml wherever the server started; list the server
    settings it lacks (once per process, also printed to the server's console)."""
    expected = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    for name, value in expected.get("client", {}).items():
        st.set_option(f"client.{name}", value)
    drift = hosting.config_drift(expected, st.get_option)
    if drift:
        print(f"playground: the server is not running with {CONFIG}: " + "; ".join(drift)
              + ". Start it from the repository root (see the README's hosting section).", file=sys.stderr)
    return drift


if settings_drift() and hosting.is_hosted():
    st.error("This hosted server was started without the playground's settings "
             "(upload limit, error details, allowed hosts), so it does not serve the lessons. "
             "The operator should start it from the repository root, as the README's hosting section shows.")
    st.stop()

preload()  # every page's imports, in the background, once per server process
sections: dict[str, list] = {"Start": [st.Page(str(APP_DIR / "home.py"), title="Course map", default=True)]}
for lesson in course.built_lessons(APP_DIR):
    sections.setdefault(lesson.part, []).append(
        st.Page(str(APP_DIR / lesson.page_file), title=lesson.label, url_path=lesson.slug[3:])
    )
current = st.navigation(sections)
viewing(current.url_path)  # background builds of a page this session leaves stop (components/background.py)
current.run()
