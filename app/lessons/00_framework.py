"""Lesson 0: walk the 6-step framework on a prompt against a 45-minute clock."""

import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from components.timer import interview_clock
from playground import framework as fw
from scenarios.l00 import PRESETS

page = LessonPage("l00", presets=PRESETS)
prompt = page.select("prompt", "Interview prompt", list(fw.PROMPTS))
st.sidebar.markdown("**Time budget per step (minutes)**")
budgets = [page.slider(f"m_{s.key}", s.name, 0, 30, fw.UNPLANNED_MINUTES[s.key]) for s in fw.STEPS]
total = sum(budgets)
ends = fw.schedule(budgets)

left, mid, right = st.columns(3)
over = total - fw.ROUND_MINUTES
page.metric("Planned minutes", f"{total}", delta=f"{over:+d} vs 45" if over else None,
            delta_color="inverse", container=left, headline=True)
if total > fw.ROUND_MINUTES:
    late = [s.name for s, end in zip(fw.STEPS, ends) if end > fw.ROUND_MINUTES]
    page.verdict(False, f"Over budget by {total - fw.ROUND_MINUTES} min: the round ends before "
             f"{', '.join(late)}.")
elif total < fw.ROUND_MINUTES:
    st.info(f"{fw.ROUND_MINUTES - total} minutes unplanned: keep them for the interviewer's deep dive.")

fig = go.Figure()  # one row per step, named on its axis: no legend to cut off or wrap over the title
fig.add_bar(y=[f"{i}. {s.name}" for i, s in enumerate(fw.STEPS, 1)], x=budgets, base=[0, *ends[:-1]], orientation="h",
            text=[f"{m}′" for m in budgets], textposition="outside", cliponaxis=False, showlegend=False,
            marker_color=["#d62728" if end > fw.ROUND_MINUTES else "#1f77b4" for end in ends])
fig.add_vline(x=fw.ROUND_MINUTES, line_dash="dash", line_color="red", annotation_text="45 min: the round ends")
fig.update_layout(height=320, title="Your plan on the clock (minutes; red: past the end of the round)",
                  xaxis_title="minutes from the start", yaxis=dict(autorange="reversed", automargin=True))
page.chart(fig, hero=True)


interview_clock("l00", budgets, [s.name for s in fw.STEPS], fw.ROUND_MINUTES)

checked: dict[str, set[int]] = {}
st.subheader("Checklist per step")
tabs = st.tabs([f"{i + 1}. {s.name}" for i, s in enumerate(fw.STEPS)])
for tab, step, minutes in zip(tabs, fw.STEPS, budgets):
    tab.caption(f"Budget: {minutes} min")
    checked[step.key] = {
        i for i, item in enumerate(fw.checklist(prompt, step))
        if page.checkbox(f"{step.key}_{i}", item, container=tab)
    }

costs = fw.step_costs(prompt, budgets, checked)
timed = fw.step_costs(prompt, budgets)  # time alone, before the checklist
page.metric("Grade this round can reach", fw.grade(costs), container=right, headline=True)
lost = [c for c in timed if c.status in ("unanswered", "cut short")]
if lost:
    page.verdict(False, f"One step ate the round: {', '.join(f'{c.step} ({c.status})' for c in lost)}. "
                 "The interviewer's questions for those steps are never answered.")
elif costs:
    page.verdict(False, f"The round fits the clock but caps at the L4 ceiling: "
                 f"{', '.join(f'{c.step} ({c.status})' for c in costs)}. The interviewer probes each of them.")
asks = st.expander("What the interviewer asks next, and the grade it caps", expanded=False)
for c in costs:
    with asks.container(border=True):
        st.markdown(f"**{c.step}: {c.status}.** Probe: *{c.probe}*")
        st.markdown(f"Caps you at the L4 ceiling: {c.ceiling}  \nThe L5 signal you miss: {c.signal}")
if not costs:
    page.verdict(True, "Every step in time and covered: the round can show the L5 signals.")

summary = fw.coverage(prompt, checked)
page.metric("Checklist covered", f"{summary.share:.0%}", container=mid, headline=True)
page.metric("Steps never touched", f"{len(summary.untouched_steps)}", container=mid)
with st.expander("What you skipped", expanded=False):
    if not summary.skipped:
        st.success("Every item covered: this is the L5 shape of the round.")
    for step_name, items in summary.skipped.items():
        st.markdown(f"**{step_name}**\n" + "\n".join(f"- {item}" for item in items))

page.math([
    r"\sum_{i=1}^{6} b_i = " + " + ".join(str(b) for b in budgets) + f" = {total}" + r"\ \text{min}",
    r"\text{step}(t) = \min\{\,i : t < \textstyle\sum_{j \le i} b_j\,\}",
    rf"\text{{coverage}} = {summary.covered} / {summary.total} = {summary.share:.2f}",
], notes="Budgets $b_i$ in minutes must add up to the 45-minute round; the clock maps elapsed "
         "time $t$ to the step you should be on.")
page.board({s.key: f"{b} min" for s, b in zip(fw.STEPS, budgets)})
page.finish()
