"""Lesson 2's fault comparison: production, each naive step alone and the learner's pipeline,
offline against online AUC (layout only; the numbers come from :mod:`playground.recsys.pipeline`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from playground.recsys import pipeline as pl


def show(page: LessonPage, comparison: pl.Comparison, mine: pl.Pipeline) -> None:
    """Render the chart, what each fault does, and the table."""
    table, shown = comparison.table, comparison.with_mine(mine)
    fig = go.Figure()
    fig.add_bar(x=shown.pipeline, y=shown.offline_auc, name="offline AUC (same pipeline's last week)",
                marker_color="#9ecae1", text=shown.offline_auc, texttemplate="%{text:.3f}", textposition="outside")
    fig.add_bar(x=shown.pipeline, y=shown.online_auc, name="online AUC (next week, built correctly)",
                marker_color="#08519c", text=shown.online_auc, texttemplate="%{text:.3f}", textposition="outside")
    fig.add_hline(y=0.5, line_dash="dot", annotation_text="random ranking", annotation_position="bottom left")
    fig.update_layout(barmode="group", height=460, yaxis_range=[0.4, 1.05], yaxis_title="AUC",
                      title="Production vs each naive step alone: offline AUC against online AUC")
    page.chart(fig, hero=True)
    kinds, notes = pl.classify_faults(table), []
    if kinds["liars"]:
        notes.append(f"{', '.join(kinds['liars'])}: offline AUC goes *up* while online AUC goes down.")
    if kinds["hidden"]:
        notes.append(f"{', '.join(kinds['hidden'])}: invisible offline (the offline rows use the training "
                     "definition), online AUC goes down.")
    if kinds["harmless"]:
        notes.append(f"{', '.join(kinds['harmless'])}: no clear harm in this log.")
    st.caption(" ".join(notes))
    for row in table.itertuples():
        page.record(f"{row.pipeline}: offline / online AUC", f"{row.offline_auc:.3f} / {row.online_auc:.3f}")
    ex = st.expander("The chart's numbers (table)")
    ex.dataframe(table.rename(columns={"pipeline": "Pipeline", "offline_auc": "Offline AUC",
                                       "online_auc": "Online AUC", "gap": "Offline − online"}),
                 hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.3f")
                                for c in ("Offline AUC", "Online AUC", "Offline − online")})
