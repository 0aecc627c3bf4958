"""The blank-whiteboard drill: draw a system for one of the six prompts under the 45-minute clock,
then see it graded; ``?view=interviewer`` shows the same board with the rubric and probes."""

import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from components.stage import BreakFix
from components.timer import interview_clock
from playground import board as bd
from playground import course, drill
from playground import framework as fw
from playground.systems import CATALOGUE, Flow
from scenarios.drill import PRESETS

SIDE_LABELS = {"offline": "Offline (training, batch)", "online": "Online (request path)",
               "both": "Shared by both sides"}
PALETTE = sorted(CATALOGUE, key=lambda cid: CATALOGUE[cid].name)


def name(cid: str) -> str:
    return CATALOGUE[cid].name


def flow_name(text: str) -> str:
    src, _, dst = text.partition(">")
    return f"{name(src)} → {name(dst)}"


def add_component() -> None:
    pick, side = st.session_state["_pick"], st.session_state["_pick_side"]
    for key in drill.SIDE_KEYS.values():
        st.session_state[key] = [c for c in st.session_state.get(key, []) if c != pick]
    st.session_state[drill.SIDE_KEYS[side]] = [*st.session_state[drill.SIDE_KEYS[side]], pick]


def connect() -> None:
    text = f"{st.session_state['_from']}>{st.session_state['_to']}"
    if drill.parse_flow(text) and text not in st.session_state["flows"]:
        st.session_state["flows"] = [*st.session_state["flows"], text]


presets = {preset.name: preset for preset in PRESETS}
page = LessonPage("drill", presets=PRESETS,
                  switch=BreakFix(presets["model_first"].values, presets["reference"].values))
view = page.select("view", "View", ["candidate", "interviewer"], radio=True,
                   help="The interviewer view shows the rubric, the probes and a scorecard; share the "
                        "link and the board travels with it.")
prompt = page.select("prompt", "Interview prompt", list(fw.PROMPTS), container=st)
interview_clock("drill", [s.minutes for s in fw.STEPS], [s.name for s in fw.STEPS], fw.ROUND_MINUTES)
notes = page.text("notes", "Requirements you stated (scale, latency budget, metric)", container=st)

st.subheader("Draw")
add, link = st.columns(2)
with add.container(border=True):
    st.selectbox("Component", PALETTE, key="_pick", format_func=name)
    st.radio("Side", list(SIDE_LABELS), key="_pick_side", format_func=SIDE_LABELS.get, horizontal=True)
    st.button("Add to the board", on_click=add_component, type="primary")
with st.expander("Components on each side (remove with ×)", expanded=False):
    lists = {side: page.multiselect(key, SIDE_LABELS[side], list(CATALOGUE), container=st, format_func=name)
             for side, key in drill.SIDE_KEYS.items()}
sides = drill.board_sides(lists["offline"], lists["online"], lists["both"])
with link.container(border=True):
    on_board = list(sides) or [None]
    st.selectbox("From", on_board, key="_from", format_func=lambda c: name(c) if c else "(add a component)")
    st.selectbox("To", on_board, key="_to", format_func=lambda c: name(c) if c else "(add a component)")
    st.button("Connect", on_click=connect, disabled=len(sides) < 2)
with st.expander("Connections (remove with ×)", expanded=False):
    chosen = page.multiselect("flows", "Connections", drill.flow_options(), container=st, format_func=flow_name)
flows = [f for f in map(drill.parse_flow, chosen) if f and f[0] in sides and f[1] in sides]

graded = page.toggle("graded", "Grade my board", False, container=st) or view == "interviewer"
review = drill.grade(prompt, sides, flows)
title = f"Your board: {prompt}"
if graded:
    board = drill.graded_board(review, sides, flows, title)
    legend = "Graded: red boxes are on the wrong side; dashed boxes are missing from your design."
else:
    board = bd.drawn(title, [(CATALOGUE[c], s) for c, s in sides.items()], [Flow(a, b) for a, b in flows])
    legend = "Dashed frames are the sides. Grade the board to see what is missing."
page.draw_board(board, "drill", "Your board", f"{len(sides)} components, {len(flows)} connections. {legend}")
page.math([
    r"\text{points}(c) = \begin{cases} 1 & \text{right side} \\ 0.5 & \text{wrong side} \\ 0 & \text{missing} \end{cases}",
    rf"\text{{board}} = \tfrac{{1}}{{{len(review.marks)}}} \textstyle\sum_c \text{{points}}(c) = {review.overall:.2f}",
    rf"\text{{connections}} = {review.flows_drawn} / {review.flows_total}",
], notes=f"L5 needs at least {drill.L5_OVERALL:.0%} of the points, every step with boxes at "
         f"{drill.L5_STEP:.0%} or more, and {drill.L5_FLOWS:.0%} of the reference connections. "
         "A component the reference shares between both sides is right on any side.")

if graded or page.stage.on:  # the stage shows what the interviewer shares: the graded review
    st.subheader("Graded review")
    cols = st.columns(3)
    page.metric("Verdict", review.verdict, container=cols[0], headline=True)
    page.metric("Reference points", f"{review.overall:.0%}", container=cols[1], headline=True)
    page.metric("Connections", f"{review.flows_drawn} of {review.flows_total}", container=cols[2])
    page.verdict(not review.shortfalls, f"Board {review.verdict}: {review.overall:.0%} of the reference points, "
                 f"{review.flows_drawn} of {review.flows_total} connections"
                 + (f"; not yet L5: {review.shortfalls[0]}" if review.shortfalls else "."))
    for reason in review.shortfalls[1:]:
        st.warning(f"Not yet L5: {reason}")
    steps = [s for s in review.steps if s.share is not None]
    fig = go.Figure(go.Bar(x=[s.share for s in steps], y=[s.step.name for s in steps], orientation="h",
                           text=[f"{s.earned:g} / {s.possible:g}" for s in steps], textposition="auto"))
    fig.add_vline(x=drill.L5_STEP, line_dash="dash", annotation_text="L5 bar")
    fig.update_layout(title="Score per step of the framework (share of its reference boxes)",
                      xaxis=dict(range=[0, 1], tickformat=".0%"), yaxis=dict(autorange="reversed"), height=320)
    page.chart(fig, hero=True)
    for mark in review.marks:
        lesson = course.lesson(mark.component.lesson)
        if mark.status == "present":
            st.markdown(f"- **{mark.component.name}**: present")
            continue
        where = f" (you drew it {mark.drawn_side}; it runs {mark.component.side})" if mark.drawn_side else ""
        st.markdown(f"- **{mark.component.name}**: {mark.status}{where}. Without it: *{mark.component.breaks}*")
        st.page_link(lesson.page_file, label=f"Reproduce the failure: {lesson.label}, "
                     f"scenario '{mark.component.preset}'", query_params={"preset": mark.component.preset})
    if review.extras:
        st.caption("Not in the reference design: " + ", ".join(c.name for c in review.extras))
    st.download_button("Export board and review (Markdown)",
                       drill.review_markdown(review, bd.to_mermaid(board), notes=notes),
                       file_name="whiteboard_review.md", mime="text/markdown", on_click="ignore")

if view == "interviewer":
    st.subheader("Interviewer: rubric and probes")
    st.caption("Tick what the candidate covered out loud. Every tick is in the link: send it to a "
               "co-interviewer and they see the same board and scorecard.")
    ticks: dict[str, set[int]] = {}
    status = {m.component.id: m.status for m in review.marks}
    for score, tab in zip(review.steps, st.tabs([f"{i}. {s.name}" for i, s in enumerate(fw.STEPS, 1)])):
        ticks[score.step.key] = {i for i, item in enumerate(fw.checklist(prompt, score.step))
                                 if page.checkbox(f"iv_{score.step.key}_{i}", item, container=tab)}
        for mark in (m for m in review.marks if m.component.step == score.step.key):
            tab.markdown(f"- Probe ({mark.component.name}, {status[mark.component.id]}): "
                         f"*{mark.component.probe}*")
    rubric = fw.coverage(prompt, ticks)
    page.metric("Rubric covered", f"{rubric.covered} of {rubric.total}", headline=True)
    page.metric("Interviewer verdict", drill.interview_verdict(review, rubric), headline=True)
    st.download_button("Export scorecard (Markdown)", drill.scorecard_markdown(review, rubric, notes),
                       file_name="whiteboard_scorecard.md", mime="text/markdown", on_click="ignore")
page.finish()
