"""The shared lesson page: header, controls bound to the URL, presets, the stage view (see
:mod:`components.stage`), URL-bound tabs, the math, the grading panel, share link and export.

Every lesson page is written as::

    page = LessonPage("l04", presets=PRESETS)   # from scenarios.l04
    seed = page.seed()
    w = page.slider("w", "Negative keep rate w", 0.01, 1.0, 0.1, step=0.01)
    result = page.guard(cal.something, w, seed)  # None (and an st.error) if the input is bad
    ...
    page.metric("ECE", f"{ece:.3f}", headline=True)
    page.verdict(ece < 0.02, f"ECE {ece:.3f}: ...")        # the live red/green sentence
    page.chart(fig, hero=True)                              # the one chart the stage view shows
    page.math([r"ECE = \\sum_b ..."])
    page.finish()

Declaring a widget through the page (not ``st.*`` directly) is what makes it restorable from a
link, settable by a preset, listed in the export and listed in ``page.controls`` (after the run,
:func:`declared_controls` gives tests and benches the same list).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Sequence, TypeVar
from urllib.parse import urlencode

import plotly.io as pio
import streamlit as st

from components.board import show_board
from components.stage import LINK_PARAM, BreakFix, Stage, stage_mode
from playground import board as bd
from playground import course, hosting, systems
from playground.scenario import Control, InvalidValue, Preset, escape_md, scenario_markdown

RESERVED = ("preset", LINK_PARAM)
LEARNER_ERRORS = (ValueError, ArithmeticError)
"""What a learner's input can make the core raise: bad parameters and input (``ValueError``, which
includes ``InvalidValue`` and numpy's ``LinAlgError``) and arithmetic on extreme values
(``ArithmeticError``: ``OverflowError``, ``ZeroDivisionError``, ``FloatingPointError``)."""
T = TypeVar("T")
CLOSED_TAB_CHART = "The chart is drawn when this tab is open."
"""What a chart in a closed tab shows instead (:meth:`LessonPage.chart`)."""
OFF_STAGE_CHART = "The chart is drawn when the stage view is left."
"""What a chart that is not the stage's hero leaves in stage view, where the rest of the page is
hidden (:meth:`LessonPage.chart`)."""
CLOSED_TAB_SECTION = "This section is computed when its tab is open."
"""What a costly section in a closed tab shows instead (:meth:`LessonPage.deferred`)."""
SUBPLOT_TITLE_PX = 26
"""Height of a row of subplot titles (px): a legend above a figure that has them goes this much higher."""
pio.templates.default = "plotly_white"
"""Every chart's look, set once for the process: a figure takes the default template without a copy,
while ``update_layout(template=name)`` deep-copies and re-validates the whole template (about 20 ms
a chart, a third of a warm rerun of lesson 6's script)."""


class LessonPage:
    """Shared anatomy of a lesson page (see module docstring)."""

    def __init__(self, lesson_id: str, presets: Sequence[Preset] = (),
                 switch: BreakFix | None = None) -> None:
        """``switch`` gives the naive and production states of the break-it / fix-it switch;
        by default the presets named ``naive`` and ``production`` when the page has both."""
        self.lesson = course.lesson(lesson_id)
        self.presets = {p.name: p for p in presets}
        self.controls: dict[str, Control] = {}
        """Every control declared so far this run, by widget key."""
        self._numbers: list[tuple[str, str]] = []
        self._formulas: list[str] = []
        self._notices: list[str] = []  # raw text: escaped once, where the notice box renders them
        self._closed_tabs: list[tuple] = []  # where the tabs of :meth:`tabs` not open this run are
        self.hosted = hosting.is_hosted()
        self._caps: dict[str, float] = {}  # hosted-mode caps of the controls declared so far
        self._url_flag = f"_url_applied:{lesson_id}"
        self._first_run = not st.session_state.get(self._url_flag, False)
        self._url = dict(st.query_params) if self._first_run else {}
        self._pending: dict[str, Any] = {}
        requested = st.session_state.pop(f"_preset_request:{lesson_id}", None)
        if self._first_run and "preset" in self._url:
            requested = self._url["preset"]
        if requested is not None:
            self._load_preset(requested)
        self._pending.update(st.session_state.pop(f"_switch_request:{lesson_id}", {}))
        if switch is None and {"naive", "production"} <= self.presets.keys():
            switch = BreakFix(self.presets["naive"].values, self.presets["production"].values)
        self._headlines: list[tuple[str, str]] = []
        if not stage_mode():
            self._header()
        self.stage = Stage(self.lesson, switch, self._state_of)
        self._notice_box = st.container()
        self._preset_buttons()
        self._advanced = None
        self._in_advanced = False

    # ---- header and panels -------------------------------------------------------------
    def _header(self) -> None:
        lesson = self.lesson
        st.title(lesson.label)
        st.caption(f"{lesson.part} · adds: {lesson.adds}")
        st.markdown(lesson.problem)
        st.warning(f"**What breaks without it:** {lesson.breaks}")

    def math(self, formulas: Sequence[str], notes: str | None = None) -> None:
        """The "The math" expander: LaTeX formulas with the current numbers substituted (kept for
        the export, not drawn in stage view, which hides it)."""
        self._formulas.extend(formulas)
        if self.stage.on:
            return
        with st.expander("The math", expanded=False):
            if notes:
                st.markdown(notes)
            for formula in formulas:
                st.latex(formula)

    # ---- controls ----------------------------------------------------------------------
    def _declare(self, control: Control, default: Any) -> None:
        if control.key in self.controls:
            raise ValueError(f"control {control.key!r} declared twice")
        self.controls[control.key] = control
        if control.key in self._pending:
            self._take(control, self._pending.pop(control.key), "preset value for ")
        if self._first_run and control.key in self._url:
            self._take(control, self._url[control.key], "")
        if control.key not in st.session_state:
            st.session_state[control.key] = default

    def _take(self, control: Control, raw: Any, source: str) -> None:
        """Set a control from a link or preset value; a refused value becomes a notice."""
        lowered = hosting.clamp_link_value(str(raw), control.options if control.kind == "choice" else None,
                                           self._caps.get(control.key))
        if lowered is not None:
            self._notices.append(f"{source}{control.key} lowered to {lowered} ({hosting.REASON})")
            raw = lowered
        try:
            st.session_state[control.key] = control.parse(raw)
        except InvalidValue as err:
            self._notices.append(f"{source}{control.key} ({err})")

    def _cap(self, key: str) -> float | None:
        cap = hosting.limit(self.lesson.id, key, self.hosted)
        if cap is not None:
            self._caps[key] = cap
        return cap

    def _declare_number(self, key, label, lo, hi, default, step):
        """Declare a numeric control; return its upper bound (lowered by a hosted-mode cap)."""
        hi, default = hosting.cap_range(hi, default, self._cap(key))
        is_int = all(isinstance(v, int) for v in (lo, hi, default)) and (step is None or isinstance(step, int))
        self._declare(Control(key, label, "int" if is_int else "float", lo, hi), default)
        return hi

    def _where(self, container):
        if container is not None:
            return container
        return self._advanced if self._in_advanced else st.sidebar

    def advanced(self):
        """The sidebar's collapsed "Advanced" expander, for the controls beyond the few that
        teach the lesson (pass it as ``container=``, or declare them under ``with
        page.advanced_controls():``)."""
        if self._advanced is None:
            self._advanced = st.sidebar.expander("Advanced", expanded=False)
        return self._advanced

    @contextmanager
    def advanced_controls(self):
        """Controls declared inside this block without a ``container`` go to :meth:`advanced`."""
        self.advanced()
        self._in_advanced = True
        try:
            yield self._advanced
        finally:
            self._in_advanced = False

    def _state_of(self, values: dict) -> str:
        """"match" when every control in ``values`` holds that value now (pending link or preset
        values included; controls from the previous run when not yet declared), else "differs"."""
        known = {c.key: c for c in st.session_state.get(_controls_key(self.lesson.id), [])}
        known.update(self.controls)
        for key, value in values.items():
            control = known.get(key)
            if control is None:
                return "differs"
            now = self._pending.get(key, st.session_state.get(key))
            try:
                if control.encode(control.parse(control.encode(now))) != control.encode(
                        control.parse(control.encode(value))):
                    return "differs"
            except InvalidValue:
                return "differs"
        return "match"

    def tabs(self, key: str, labels: Sequence[str], default: str | None = None,
             on_stage: bool = True) -> list:
        """Tabs whose open tab is a control: part of the link, settable by a preset (so a
        scenario opens the tab that shows its effect) and restored from a link. ``on_stage``:
        the stage view offers a row of buttons to open them (False when the hero chart and the
        verdict sit above the tabs, so the tabs change nothing on stage)."""
        labels = list(labels)
        self._declare(Control(key, "Open tab", "choice", options=tuple(labels)),
                      labels[0] if default is None else default)
        if self.stage.on and on_stage:
            self.stage.view_picker(key, labels)
        tabs = list(st.tabs(labels, key=key, on_change="rerun"))
        closed = [_position(tab) for tab in tabs if tab.open is False]
        self._closed_tabs += [where for where in closed if where is not None]
        return tabs

    def deferred(self, tab) -> bool:
        """Whether ``tab`` (one of :meth:`tabs`) is closed; if so it says so with
        :data:`CLOSED_TAB_SECTION`. A section that costs seconds to compute declares its controls
        first (so a link keeps their values), then returns early when this is True: opening the tab
        reruns the page, which computes it. Its numbers are then missing from the export and its
        formulas from "The math" until the tab opens, so keep a section whose numbers the board
        shows computed."""
        if tab.open is not False:
            return False
        tab.caption(CLOSED_TAB_SECTION)
        return True

    def slider(self, key: str, label: str, lo: float, hi: float, default: float,
               step: float | None = None, container=None, **kwargs) -> Any:
        """A numeric slider; int when ``lo``, ``hi``, ``default`` (and ``step``) are all ints."""
        hi = self._declare_number(key, label, lo, hi, default, step)
        return self._where(container).slider(label, lo, hi, step=step, key=key, **kwargs)

    def number(self, key: str, label: str, lo: float, hi: float, default: float,
               step: float | None = None, container=None, **kwargs) -> Any:
        """A bounded number input; int when ``lo``, ``hi``, ``default`` (and ``step``) are all ints."""
        hi = self._declare_number(key, label, lo, hi, default, step)
        return self._where(container).number_input(label, lo, hi, step=step, key=key, **kwargs)

    def select(self, key: str, label: str, options: Sequence, default=None, container=None,
               radio: bool = False, **kwargs) -> Any:
        """A selectbox (or radio buttons with ``radio=True``) over ``options``."""
        options, default = hosting.cap_options(options, options[0] if default is None else default,
                                               self._cap(key))
        self._declare(Control(key, label, "choice", options=tuple(options)), default)
        widget = self._where(container).radio if radio else self._where(container).selectbox
        return widget(label, options, key=key, **kwargs)

    def select_slider(self, key: str, label: str, options: Sequence, default=None,
                      container=None, **kwargs) -> Any:
        """A slider over a discrete list of values (e.g. powers of two)."""
        options, default = hosting.cap_options(options, options[0] if default is None else default,
                                               self._cap(key))
        self._declare(Control(key, label, "choice", options=tuple(options)), default)
        return self._where(container).select_slider(label, options, key=key, **kwargs)

    def multiselect(self, key: str, label: str, options: Sequence, default: Sequence = (),
                    container=None, **kwargs) -> list:
        """A multiselect over ``options``."""
        options = list(options)
        self._declare(Control(key, label, "multi", options=tuple(options)), list(default))
        return self._where(container).multiselect(label, options, key=key, **kwargs)

    def toggle(self, key: str, label: str, default: bool = False, container=None, **kwargs) -> bool:
        """An on/off toggle (e.g. naive vs production)."""
        self._declare(Control(key, label, "bool"), bool(default))
        return self._where(container).toggle(label, key=key, **kwargs)

    def checkbox(self, key: str, label: str, default: bool = False, container=None, **kwargs) -> bool:
        """A checkbox (e.g. a checklist item)."""
        self._declare(Control(key, label, "bool"), bool(default))
        return self._where(container).checkbox(label, key=key, **kwargs)

    def text(self, key: str, label: str, default: str = "", container=None, **kwargs) -> str:
        """A single-line text input (at most 500 characters, shown only escaped)."""
        self._declare(Control(key, label, "text"), default)
        return self._where(container).text_input(label, key=key, max_chars=500, **kwargs)

    def seed(self, default: int = 0) -> int:
        """The page's seed widget: the same seed and inputs give the same outputs."""
        return self.number("seed", "Seed", 0, 9999, default, step=1,
                           help="Every random draw on this page derives from this seed.")

    # ---- presets -----------------------------------------------------------------------
    def _preset_buttons(self) -> None:
        if not self.presets:
            return
        box = st.sidebar.container(border=True)
        box.markdown("**Scenarios**")
        for preset in self.presets.values():
            box.button(preset.label, key=f"_preset_{preset.name}", help=preset.description,
                       on_click=self._apply_preset, args=(preset.name,), width="stretch")

    def _apply_preset(self, name: str) -> None:
        """Button callback: ask the next run to apply the preset as its widgets are declared."""
        st.session_state[f"_preset_request:{self.lesson.id}"] = name

    def _load_preset(self, name: str) -> None:
        if name in self.presets:
            self._pending = dict(self.presets[name].values)
            st.session_state[f"_active_preset:{self.lesson.id}"] = name
        else:
            self._notices.append(f"preset (no scenario called {name[:40]})")

    # ---- numbers and charts ------------------------------------------------------------
    def metric(self, label: str, value: str, delta: str | None = None, container=None,
               headline: bool = False, note: str | None = None, **kwargs) -> None:
        """Show a number and record it for the export; ``note`` is a caption under it (not a
        delta chip); ``headline=True`` marks one of the page's two or three headline numbers:
        the stage view shows them beside the hero chart and the pin freezes them."""
        self._numbers.append((label, str(value)))
        where = container or st
        where.metric(label, value, delta, **kwargs)
        pinned = None
        if headline:
            self._headlines.append((label, str(value)))
            pinned = self.stage.pinned(label)
            if self.stage.takes("metric"):
                self.stage.metric(label, value, pinned, delta=delta, **kwargs)
        extra = " · ".join(text for text in (note, pinned) if text)
        if extra:
            where.caption(extra)

    def verdict(self, ok: bool, text: str, container=None, headline: bool = True) -> None:
        """The live verdict sentence: green when the design holds, red when it breaks. The first
        headline verdict of a run goes to the top of the page, under the break-it / fix-it switch
        (in stage view under the headline numbers), wherever the section computing it sits: a
        first visit sees it with the header, even when its section is in a tab that is closed."""
        box = self.stage.verdict if headline and self.stage.takes("verdict") else (container or st)
        (box.success if ok else box.error)(text)

    def record(self, label: str, value: str) -> None:
        """Record a number for the export without showing a metric widget."""
        self._numbers.append((label, str(value)))

    def chart(self, fig, container=None, hero: bool = False, **kwargs) -> None:
        """Show a plotly figure at full width with the shared look: title on the left (a title of
        several ``<br>`` lines hangs from the top edge, the margin grown to hold it), legend in
        one row between the title and the plot (never over an axis title). ``hero=True`` marks
        the page's one chart that the stage view shows, enlarged."""
        if not self.stage.on and self._in_closed_tab(container):  # on stage it may be the stage's chart
            (container or st).caption(CLOSED_TAB_CHART)
            return
        fig.update_layout(margin=dict(l=10, r=10, t=50, b=10),
                          title=dict(x=0, xanchor="left", automargin=True, yref="container"),
                          legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, xanchor="left"))
        # log axes: one labelled tick per power of ten, no crowded minor digits
        lines = (fig.layout.title.text or "").count("<br>") + 1
        if lines > 1:  # from the top edge down (centred in the margin, the first line was cut off)
            fig.update_layout(title=dict(y=1, yanchor="top", pad_t=20), margin_t=50 + 30 * (lines - 1))
        if _titles_on_top(fig):  # make_subplots' titles sit where the legend goes: lift it above them
            plot_px = (fig.layout.height or 450) - fig.layout.margin.t - fig.layout.margin.b
            fig.update_layout(legend_y=1.02 + SUBPLOT_TITLE_PX / plot_px)
        fig.for_each_xaxis(lambda ax: ax.update(dtick=1) if ax.type == "log" and ax.dtick is None else None)
        fig.for_each_yaxis(lambda ax: ax.update(dtick=1) if ax.type == "log" and ax.dtick is None else None)
        if self.stage.chart(fig, hero):
            return
        if self.stage.on:  # the stage hides the rest of the page: a browser would draw it unseen
            (container or st).caption(OFF_STAGE_CHART)
            return
        (container or st).plotly_chart(fig, width="stretch", **kwargs)

    def _in_closed_tab(self, container) -> bool:
        """Whether ``container`` (None: where ``st`` writes now) lies in a tab of :meth:`tabs` that
        is not open. Such a tab's charts are not sent: a browser draws every tab's charts on each
        page load and rerun, and Plotly's drawing is most of a page load's browser time. Opening
        the tab reruns the page (``on_change="rerun"``), which draws them."""
        where = _position(container or st._main)
        return where is not None and any(where[0] == root and where[1][:len(path)] == path
                                         for root, path in self._closed_tabs)

    @staticmethod
    def guard(fn: Callable[..., T], /, *args, container=None, **kwargs) -> T | None:
        """Return ``fn(*args, **kwargs)``; if a learner's input makes it raise one of
        :data:`LEARNER_ERRORS`, show the message as ``st.error`` (in ``container``) and return None."""
        try:
            return fn(*args, **kwargs)
        except LEARNER_ERRORS as err:
            (container or st).error(escape_md(str(err)))
            return None

    def board(self, numbers: dict[str, str | Sequence[str]] | None = None, system: str | None = None) -> None:
        """The board: this lesson's system as of this lesson, carrying the current numbers.

        ``numbers`` maps a component id (or ``"src>dst"`` for an arrow) to literal text, or to a
        list of metric labels recorded on this page (shown as ``label value``; absent ones are
        skipped). ``system`` picks a whole system to draw instead (a page that is not a lesson).
        """
        recorded = dict(self._numbers)
        text = {key: value if isinstance(value, str) else
                "\n".join(f"{label} {recorded[label]}" for label in value if label in recorded)
                for key, value in (numbers or {}).items()}
        drawn = systems.SYSTEMS[system] if system else systems.system_for(self.lesson.id)
        as_of = None if system else self.lesson.id
        self.draw_board(bd.as_of(drawn, as_of, text), self.lesson.slug,
                        f"The board: {drawn.title}" + (f", as of lesson {self.lesson.number}" if as_of else ""),
                        folded=True)

    def draw_board(self, board: bd.Board, file_stem: str, heading: str, caption: str | None = None,
                   folded: bool = False) -> None:
        """Draw ``board`` with its exports on the page (``folded``: in a collapsed expander), or in
        the stage's big slot when the stage shows the board (stage view hides it elsewhere: not
        drawn there)."""
        if not self.stage.board(board) and not self.stage.on:
            show_board(board, file_stem, heading, caption, folded=folded)

    # ---- the end of the page -----------------------------------------------------------
    def scenario_query(self) -> dict[str, str]:
        """The current scenario as link parameters (every declared control)."""
        return {key: control.encode(st.session_state.get(key))
                for key, control in self.controls.items()}

    def finish(self) -> None:
        """Grading panel, share and export, the URL update and notices about a bad link."""
        grades_panel(self.lesson)
        self._notices += [f"preset value for {k} (not a setting of this page)" for k in self._pending]
        unknown = [k for k in self._url if k not in self.controls and k not in RESERVED]
        self._notices += [f"{k[:40]} (not a setting of this page)" for k in unknown]
        if self._notices:  # link text is escaped here, in one place, never echoed as Markdown
            self._notice_box.warning("Some link parameters were ignored or changed: "
                                     + escape_md("; ".join(self._notices)))
        if self._caps:
            capped = ", ".join(f"{self.controls[k].label} ≤ {v:,g}" for k, v in self._caps.items())
            self._notice_box.caption(f"Hosted server: {escape_md(capped)} ({hosting.REASON}).")
        active = self.presets.get(st.session_state.get(f"_active_preset:{self.lesson.id}"))
        if active and all(self.controls[k].encode(st.session_state.get(k)) == self.controls[k].encode(v)
                          for k, v in active.values.items() if k in self.controls):
            self._notice_box.info(f"**Scenario: {active.label}.** {active.description}")
        params = self.scenario_query()
        st.session_state[f"_headline_last:{self.lesson.id}"] = self._headlines
        self.stage.finish(self.lesson)
        st.query_params.from_dict({**params, **({LINK_PARAM: self.stage.link_value} if self.stage.on else {})})
        st.session_state[_controls_key(self.lesson.id)] = list(self.controls.values())
        st.session_state[self._url_flag] = True
        query = "?" + urlencode(params)
        settings = [(control.label, params[key]) for key, control in self.controls.items()]
        with st.sidebar.expander("Share or export this scenario"):
            st.caption("Copy link to this scenario:")
            # not st.code: its 1.5 MB syntax highlighter slowed every page's first load
            st.markdown(escape_md(_base_url() + query))
            st.download_button(
                "Export scenario (Markdown)",
                scenario_markdown(self.lesson.label, query, settings, self._numbers, self._formulas),
                file_name=f"{self.lesson.slug}_scenario.md", mime="text/markdown",
                on_click="ignore",
            )


def _titles_on_top(fig) -> bool:
    """Whether ``fig`` has subplot titles above its top row (``make_subplots``' annotations)."""
    return any(a.yref == "paper" and a.yanchor == "bottom" and (a.y or 0) >= 0.99 and a.showarrow is False
               for a in fig.layout.annotations)


def _position(container) -> tuple[int, tuple[int, ...]] | None:
    """(root container, block path) where ``container`` writes now: the block a ``with`` made
    active, else the container itself. Streamlit keeps these private; None if a version lacks
    them (every chart is then drawn)."""
    try:
        dg = container._active_dg
        return dg._root_container, tuple(dg._cursor.parent_path)
    except AttributeError:
        return None


def _controls_key(lesson_id: str) -> str:
    return f"_controls:{lesson_id}"


def declared_controls(session_state, lesson_id: str) -> list[Control]:
    """The controls lesson ``lesson_id``'s page declared in its last finished run, read from a
    session state (e.g. an AppTest's ``at.session_state``): for tests and benches."""
    return list(session_state[_controls_key(lesson_id)])


def grades_panel(lesson: course.Lesson) -> None:
    """L4 ceiling vs L5 signal for one lesson, from :mod:`playground.course`."""
    with st.expander("What the interviewer grades", expanded=False):
        left, right = st.columns(2)
        left.markdown("**L4 ceiling: where the answer stops**")
        left.markdown("\n".join(f"- {item}" for item in lesson.l4))
        right.markdown("**L5 signal: what gets the promote**")
        right.markdown("\n".join(f"- {item}" for item in lesson.l5))


def _base_url() -> str:
    try:
        url = st.context.url or ""
    except Exception:  # noqa: BLE001 - no browser context (AppTest, bare run)
        url = ""
    return url.split("?")[0]
