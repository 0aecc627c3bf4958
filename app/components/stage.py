"""The stage view of a lesson page: what a projector or a shared screen shows.

One hero chart, the page's headline numbers, its live verdict sentence and a large break-it /
fix-it switch, fitted to 1920x1080 and 1280x720 with the sidebar collapsed; navigation reduced to
previous / next lesson; a pin that freezes the headline numbers so the audience sees the before
and the after of a click. The mode lives in the session (so it survives a page change) and in the
link (``?stage=1``).

:class:`Stage` only lays out the top of the page; :class:`components.page.LessonPage` feeds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import streamlit as st

from playground import board as bd
from playground import course

APP_DIR = Path(__file__).resolve().parents[1]
MODE_KEY = "_stage_mode"
"""Session key holding the stage mode across pages (widget state does not survive a page change)."""
LINK_PARAM = "stage"
HERO_HEIGHT = 410
"""Hero chart height in stage view (px): with the header, the switch and the verdict it fits a
1280x720 window; the numbers sit beside the chart, not under it."""
STAGE_FONT = 17
"""Chart text size in stage view (px); nothing on a stage chart is drawn smaller than 16 px."""
STAGE_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.6rem; padding-bottom: 0; max-width: 100%; }
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > *:not(:has(> .st-key-stage)),
[data-testid="stSidebarNav"], [data-testid="stSidebarNavSeparator"] { display: none; }
.st-key-stage h1 { font-size: 2.1rem; padding: 0; }
.st-key-stage [data-testid="stMetricValue"] { font-size: 2.3rem; }
.st-key-stage [data-testid="stMetricLabel"] p { font-size: 1.15rem; white-space: normal; }
.st-key-stage [data-testid="stMetricLabel"] div { white-space: normal; overflow: visible; }
.st-key-stage [data-testid="stAlert"] p, .st-key-stage [data-testid="stCaptionContainer"] p { font-size: 1.2rem; }
.st-key-stage_switch button p { font-size: 1.3rem; font-weight: 600; }
</style>
"""
SWITCH_KEY = "_break_fix"
SHOW_KEY = "_stage_show"
"""Session key: what the stage's big slot shows, the hero chart or the board (kept across pages)."""
SHOWS = ("Chart", "Board")
BOARD_LINK = "board"
"""``?stage=board`` opens the stage with the board in the big slot."""
MAX_NUMBERS = 3
"""Headline numbers the stage shows beside the hero chart."""


@dataclass(frozen=True)
class BreakFix:
    """The two states of a page's break-it / fix-it switch.

    Parameters
    ----------
    naive, production : dict
        Control key -> value for the naive (broken) and the production (fixed) design; values as
        a preset holds them (parsed by the control).
    """

    naive: dict
    production: dict


BREAK_LABEL = "Break it: naive"
FIX_LABEL = "Fix it: production"


def stage_mode() -> bool:
    """Whether stage view is on: the link's ``?stage=`` on a fresh page, else the session's mode."""
    linked = st.query_params.get(LINK_PARAM)
    if linked is not None and MODE_KEY not in st.session_state:
        st.session_state[MODE_KEY] = linked.lower() in ("1", "true", "yes", "on", BOARD_LINK)
        st.session_state[SHOW_KEY] = SHOWS[linked.lower() == BOARD_LINK]
    return bool(st.session_state.get(MODE_KEY, False))


def _toggle_mode() -> None:
    st.session_state[MODE_KEY] = not st.session_state.get(MODE_KEY, False)


def _open_view(key: str) -> None:
    if st.session_state.get("_stage_view"):
        st.session_state[key] = st.session_state["_stage_view"]


def short_label(label: str) -> str:
    """A tab label cut at its first colon ("1 · The auction: rank by ..." -> "1 · The auction"), so
    the stage's row of view buttons stays on one line at 1280 px."""
    return label.split(":")[0]


def style_for_stage(fig) -> None:
    """Enlarge every text of a plotly figure to stage size (>= 16 px) and fit its height."""
    fig.update_layout(font_size=STAGE_FONT, height=HERO_HEIGHT, title_font_size=STAGE_FONT + 3,
                      legend_font_size=STAGE_FONT - 1, hoverlabel_font_size=STAGE_FONT)
    if fig.layout.title.text:  # the title (one line per <br>) from the top edge down, the plot below it
        lines = fig.layout.title.text.count("<br>") + 1
        fig.update_layout(title_yref="container", title_y=1, title_yanchor="top", title_pad_t=18,
                          margin_t=max(fig.layout.margin.t or 0, 16 + lines * (STAGE_FONT + 3) * 1.5 + 2 * STAGE_FONT))
    fig.update_xaxes(tickfont_size=STAGE_FONT - 1, title_font_size=STAGE_FONT)
    fig.update_yaxes(tickfont_size=STAGE_FONT - 1, title_font_size=STAGE_FONT)
    fig.for_each_annotation(lambda a: a.update(font_size=max(a.font.size or 0, STAGE_FONT - 1)))


class Stage:
    """The box at the top of a lesson page: mode toggle, break/fix switch, pin and the live verdict
    in every mode; in stage view also the hero chart and the headline numbers, the rest hidden."""

    def __init__(self, lesson: course.Lesson, switch: BreakFix | None,
                 current: Callable[[dict], str | None]) -> None:
        self.lesson = lesson
        self.on = stage_mode()
        self.switch = switch
        self._pins = st.session_state.get(f"_pin:{lesson.id}")
        self._shown = 0
        self._on_stage = {"metric": 0, "chart": 0, "verdict": 0}
        box = st.container(key="stage")
        if self.on:
            st.markdown(STAGE_CSS, unsafe_allow_html=True)
            box.title(lesson.label)
            box.caption(f"{lesson.part} · adds: {lesson.adds}")
        bar = box.container(horizontal=True, vertical_alignment="center", key="stage_bar")
        self._switch(bar, current)
        bar.button("Unpin" if self._pins else "Pin numbers", key="_stage_pin",
                   on_click=self._pin, help="Freeze the headline numbers to compare before and "
                   "after the next change.")
        bar.button("Leave stage view" if self.on else "Stage view", key="_stage_mode_button",
                   on_click=_toggle_mode, help="Stage view: one chart, the headline numbers and "
                   "the verdict, sized for a projector; it stays on from page to page.")
        if self.on:
            st.session_state.setdefault(SHOW_KEY, SHOWS[0])
            bar.segmented_control("Show", SHOWS, key=SHOW_KEY, label_visibility="collapsed",
                                  help="The big slot shows the lesson's hero chart or the system board.")
            self._nav(bar)
            self._views = box.container(key="stage_views")
            left, right = box.columns([3, 2], gap="medium")
            self.hero = left.container(key="stage_hero").empty()
            self.verdict = right.container(key="stage_verdict")
            self.numbers = right.container(key="stage_numbers")
        else:  # the live verdict under the switch that flips it, whichever tab it comes from
            self.hero = self.numbers = None
            self.verdict = box.container(key="page_verdict")

    # ---- the switch, the pin and the navigation -----------------------------------------
    def _switch(self, bar, current: Callable[[dict], str | None]) -> None:
        if self.switch is None:
            return
        states = {BREAK_LABEL: self.switch.naive, FIX_LABEL: self.switch.production}
        st.session_state[SWITCH_KEY] = next(
            (label for label, values in states.items() if current(values) == "match"), None)
        with bar.container(key="stage_switch"):
            st.segmented_control("Design", list(states), key=SWITCH_KEY, on_change=self._flip,
                                 args=(states,), label_visibility="collapsed",
                                 help="Set the page's controls to the naive or the production design.")

    def _flip(self, states: dict[str, dict]) -> None:
        chosen = st.session_state.get(SWITCH_KEY)
        if chosen in states:
            st.session_state[f"_switch_request:{self.lesson.id}"] = states[chosen]

    def _pin(self) -> None:
        key = f"_pin:{self.lesson.id}"
        if st.session_state.get(key):
            st.session_state.pop(key)
        else:
            st.session_state[key] = list(st.session_state.get(f"_headline_last:{self.lesson.id}", []))

    def _nav(self, bar) -> None:
        built = course.built_lessons(APP_DIR)
        ids = [item.id for item in built]
        here = ids.index(self.lesson.id) if self.lesson.id in ids else -1
        for offset, text in ((-1, "Previous"), (1, "Next")):
            index = here + offset
            if here >= 0 and 0 <= index < len(built):
                bar.page_link(built[index].page_file, label=f"{text}: {built[index].title}",
                              query_params={LINK_PARAM: "1"})

    # ---- what the page feeds in ---------------------------------------------------------
    def view_picker(self, key: str, labels: list[str]) -> None:
        """On stage the tabs are hidden: a row of buttons sets the page's open tab (``key``);
        for the page's first tabs only."""
        if "_stage_view" in self._on_stage:
            return
        self._on_stage["_stage_view"] = 1
        st.session_state["_stage_view"] = st.session_state.get(key)
        self._views.segmented_control("View", labels, key="_stage_view", on_change=_open_view,
                                      args=(key,), label_visibility="collapsed", format_func=short_label)

    def pinned(self, label: str) -> str | None:
        """The pinned text for headline number ``label`` (matched by label, else by position)."""
        if not self._pins:
            return None
        index = self._shown
        self._shown += 1
        for pin_label, value in self._pins:
            if pin_label == label:
                return f"pinned: {value}"
        if index < len(self._pins):
            return f"pinned ({self._pins[index][0]}): {self._pins[index][1]}"
        return None

    def takes(self, kind: str) -> bool:
        """Whether the stage still has room for one more ``kind`` ("metric": three, "chart" and
        "verdict": one each); the page renders what does not fit in place (hidden on stage). Off
        stage only the verdict has a place in the box (:attr:`verdict`, under the bar)."""
        room = {"metric": MAX_NUMBERS, "chart": 1, "verdict": 1}[kind]
        if not (self.on or kind == "verdict") or self._on_stage[kind] >= room:
            return False
        self._on_stage[kind] += 1
        return True

    def metric(self, label: str, value: str, pinned: str | None, **kwargs: Any) -> None:
        """A headline number on stage (bordered, beside the hero chart)."""
        with self.numbers.container(border=True):
            st.metric(label, value, **kwargs)
            if pinned:
                st.caption(pinned)

    @property
    def shows_board(self) -> bool:
        """Whether the stage's big slot shows the board instead of the hero chart."""
        return self.on and st.session_state.get(SHOW_KEY) == SHOWS[1]

    @property
    def link_value(self) -> str | None:
        """The ``?stage=`` value that reopens this view (None off stage)."""
        return (BOARD_LINK if self.shows_board else "1") if self.on else None

    def board(self, board: bd.Board) -> bool:
        """Draw ``board`` in the big slot if the stage shows the board; return whether it did."""
        if not self.shows_board:
            return False
        self.hero.graphviz_chart(bd.to_dot(board))  # natural size: its 16 pt text stays readable
        return True

    def chart(self, fig, hero: bool) -> bool:
        """Put ``fig`` on stage if it is the page's hero chart (``hero``), or, until one comes,
        the page's first chart; return whether it went on stage."""
        if self.shows_board:
            return False
        taken = self._on_stage["chart"] or (not hero and self._on_stage.get("first"))
        if not self.on or taken:
            return False
        style_for_stage(fig)
        key = "_stage_hero_chart" if hero else "_stage_first_chart"
        self._on_stage["chart" if hero else "first"] = 1
        self.hero.plotly_chart(fig, width="stretch", key=key)
        return True

    def finish(self, lesson: course.Lesson) -> None:
        """Without a live verdict on the page, the stage states what breaks without the lesson."""
        if self.on and not self._on_stage["verdict"]:
            self.verdict.warning(f"**What breaks without it:** {lesson.breaks}")
