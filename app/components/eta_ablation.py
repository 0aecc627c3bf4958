"""Lesson 14's feature-ablation and quantile-crossing section (layout only; the numbers come from
:func:`playground.cases.eta.ablation`)."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.cases import eta


@cached("Refitting the P50 and quantile models without each feature group …")
def ablation_table(n_train: int, tail: float, rain: float, q: float, seed: int, test: pd.DataFrame,
                   full: pd.DataFrame) -> pd.DataFrame:
    train = eta.simulate_trips(n_train, seed=seed, tail=tail, rain=rain)
    return eta.ablation(train, test, q, seed, full)


def ablation_section(page: LessonPage, tab, n_train: int, tail: float, rain: float, q: float, seed: int,
                     test: pd.DataFrame, preds: pd.DataFrame) -> list[str]:
    """Render the section in ``tab`` and return its formulas (with the current numbers) for "The
    math"; while the tab is closed only its controls (the refits take seconds)."""
    qname = eta.quantile_name(q)
    st.subheader("Which features carry the ETA: ablation, and quantile crossing")
    st.caption("Each feature group is switched off in turn and the P50 and " + qname + " models refitted "
               "on the same trips (distance always stays). Spatial: origin and destination zone and "
               "coordinates; temporal: hour, weekday, rush flag; weather: clear, rain or snow.")
    cols = st.columns([2, 1])
    off = page.select("ablate", "Feature group switched off", ["none", *eta.FEATURE_GROUPS], "none",
                      container=cols[0])
    fix = page.toggle("rearrange", f"Fix crossing: sort each trip's P50 and {qname}", False, container=cols[1])
    if page.deferred(tab):
        return []
    table = ablation_table(n_train, tail, rain, q, seed, test, preds[["P50", qname]])
    row, full = table.loc["all features" if off == "none" else f"without {off}"], table.loc["all features"]
    pin = f"pinball q={q:g}"
    c = st.columns(4)
    page.metric("Pinball q=0.5 (min)", f"{row['pinball q=0.5']:.3f}", container=c[0],
                delta=f"{row['pinball q=0.5'] - full['pinball q=0.5']:+.3f} vs all features", delta_color="inverse")
    page.metric(f"Pinball q={q:g} (min)", f"{row[pin]:.3f}", container=c[1], headline=True,
                delta=f"{row[pin] - full[pin]:+.3f} vs all features", delta_color="inverse")
    page.metric(f"{qname} coverage, ablated", f"{row[f'{qname} coverage']:.1%}", container=c[2])
    crossed = 0.0 if fix else row["crossed"]
    page.metric(f"Trips with {qname} below P50", f"{crossed:.2%}", container=c[3],
                delta=f"{round(row['crossed'] * len(test))} of {len(test):,} before the fix", delta_color="off")
    if row["crossed"] > 0 and not fix:
        st.warning(f"{row['crossed']:.2%} of held-out trips get a {qname} promise below their P50: the two "
                   "quantile models are fitted separately and nothing keeps them in order.")
    elif row["crossed"] > 0:
        st.success(f"Sorted: summed pinball loss {row['summed pinball']:.4f} → "
                   f"{row['summed pinball, rearranged']:.4f} min; no trip is crossed.")
    long = table[["pinball q=0.5", pin]].reset_index().melt(id_vars="features", var_name="loss", value_name="min")
    fig = px.bar(long, x="features", y="min", color="loss", barmode="group", height=320,
                 title="Held-out pinball loss with each feature group switched off (lower is better)")
    page.chart(fig)
    with st.expander("Ablation table (held-out trips)"):
        st.dataframe(table.style.format(precision=4))
    return [rf"\Delta L_{{{q:g}}} = L_{{{q:g}}}(\text{{{row.name}}}) - L_{{{q:g}}}(\text{{all}}) = "
            rf"{row[pin]:.3f} - {full[pin]:.3f} = {row[pin] - full[pin]:+.3f}\ \text{{min}}",
            r"\hat y^{(0.5)}, \hat y^{(q)} \leftarrow \min(\hat y^{(0.5)}, \hat y^{(q)}),\ \max(\hat y^{(0.5)}, "
            r"\hat y^{(q)}):\quad \Delta(L_{0.5} + L_q) = (a - b)(0.5 - q) \le 0 \text{ per crossed trip}",
            rf"\textstyle\sum L:\ {row['summed pinball']:.4f} \to {row['summed pinball, rearranged']:.4f}"]
