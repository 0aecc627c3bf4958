"""Lesson 12's auction tab: GSP ranked by a mis-calibrated pCTR against the calibrated market
(layout only; the numbers come from :mod:`playground.cases.ads`)."""

from __future__ import annotations

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.cases import ads
from playground.deltas import pp

MEASURES = ["revenue per 1k auctions ($)", "advertiser surplus per 1k auctions ($)",
            "advertiser value per 1k auctions ($)"]


@cached()
def market(n_bidders, slots, scale, share, noise, reserve, seed):
    return ads.simulate_market(n_bidders, slots, scale, share, noise, reserve, seed=seed)


def show(page: LessonPage, n_bidders: int, slots: int, scale: float, share: float, noise: float,
         reserve: float, seed: int) -> list[str]:
    """Render the tab; return its formulas (with the current numbers) for "The math"."""
    result = page.guard(market, n_bidders, slots, scale, share, noise, reserve, seed)
    if result is None:
        return []
    s = result.summary
    model, versus = s.loc["model pCTR"], result.versus_calibrated()
    cols = st.columns(4)
    page.metric("Revenue per 1k auctions", f"${model['revenue per 1k auctions ($)']:.2f}",
                delta=f"{versus['revenue change']:+.1%} vs calibrated", container=cols[0], headline=True)
    page.metric("Allocation efficiency", f"{model['allocation efficiency']:.1%}", container=cols[1], headline=True,
                help="Advertiser value delivered ÷ value when ranked by the true CTR.")
    page.metric("CPC ÷ value per click", f"{versus['CPC / value']:.2f}",
                container=cols[2], help=f"Mean CPC ${model['mean CPC ($)']:.2f}, mean value per click "
                                        f"${model['value per click ($)']:.2f}.")
    page.metric("Fill rate", f"{model['fill rate']:.1%}",
                delta=f"{pp(versus['fill change'])} vs calibrated", container=cols[3])
    if scale != 1.0 and share == 1.0 and reserve == 0.0:
        st.info("A uniform pCTR scale cancels out: the ranking (bid × pCTR) and the GSP price "
                "(ratio of pCTRs) do not change. It bites through the reserve price, and through any "
                "segment that is mis-calibrated differently from the rest.")
    if model["allocation efficiency"] < 0.9:
        page.verdict(False, f"The mis-calibrated model gives {1 - model['allocation efficiency']:.0%} of the "
                     "advertiser value away: slots go to ads whose pCTR is inflated, not to the best ads.")
    else:
        page.verdict(True, f"The model's pCTR keeps the auction efficient: its slots deliver "
                     f"{model['allocation efficiency']:.1%} of the advertiser value that ranking by the true CTR would.")
    bars = go.Figure()
    for name in s.index:
        bars.add_bar(x=[m.replace(" per 1k auctions ($)", "") for m in MEASURES], y=s.loc[name, MEASURES], name=name)
    bars.update_layout(title="Per 1,000 auctions ($): model pCTR vs calibrated", barmode="group",
                       height=360)
    page.chart(bars, hero=True)
    _advertisers(page, result, scale)
    with st.expander("One auction, bidder by bidder"):
        st.dataframe(result.example.style.format(precision=4), hide_index=True)
        shown = result.example[result.example["slot"] > 0]
        if len(shown):
            first = shown.iloc[0]
            st.caption(f"Slot 1 pays max(next eCPM, reserve) / own pCTR = "
                       f"${first['price ($/click)']:.3f} per click, below its bid of ${first['bid ($/click)']:.3f}.")
    return [
        rf"\mathrm{{eCPM}}_i = b_i \cdot \widehat{{\mathrm{{CTR}}}}_i, \qquad "
        rf"\mathrm{{CPC}}_{{(j)}} = \frac{{\max(\mathrm{{eCPM}}_{{(j+1)}},\ r)}}{{\widehat{{\mathrm{{CTR}}}}_{{(j)}}}}"
        rf"\ \le b_{{(j)}}, \quad r = {reserve:.3f}",
        rf"\widehat{{\mathrm{{CTR}}}}_i = \mathrm{{CTR}}_i \cdot s_i \cdot e^{{\sigma z - \sigma^2/2}},\quad "
        rf"s_i \in \{{{scale:g}, 1\}},\ \sigma = {noise:.2f}",
        rf"\text{{efficiency}} = \frac{{\sum \text{{value}} \cdot \text{{clicks}}\ (\widehat{{\mathrm{{CTR}}}})}}"
        rf"{{\sum \text{{value}} \cdot \text{{clicks}}\ (\mathrm{{CTR}})}} = {model['allocation efficiency']:.3f}",
    ]


def _advertisers(page: LessonPage, result: ads.MarketResult, scale: float) -> None:
    """Price paid per click against value per click, per advertiser and per segment."""
    adv = result.clicked_advertisers()
    scatter = px.scatter(adv, x="value per click ($)", y="CPC ($)", color="segment", size="clicks",
                         hover_data=["advertiser", "ROI"], height=420,
                         title="Each advertiser: price paid per click vs value per click")
    top = float(adv["value per click ($)"].max()) if len(adv) else 1.0
    scatter.add_scatter(x=[0, top], y=[0, top], mode="lines", line_dash="dash", line_color="grey",
                        name="CPC = value")
    page.chart(scatter)
    ratio = result.price_per_value()
    for segment, value in ratio.items():
        page.record(f"CPC/value, {segment}", f"{value:.2f}")
    if len(ratio) == 2:
        st.caption(f"Price paid per dollar of value: scaled segment (pCTR × {scale:g}) "
                   f"{ratio['scaled segment']:.2f}, the rest {ratio['rest']:.2f}. "
                   "An over-predicted advertiser pays less per click (its price is divided by its "
                   "inflated pCTR) and wins slots it should not; an under-predicted one pays more and loses.")
